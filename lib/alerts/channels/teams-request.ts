import type { ChannelSecrets } from "./channel-config.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";
import { kindLabel, statusWord, type StoredNotification } from "./stored-notification.ts";

const COLOR = { firing: "attention", resolved: "good", test: "accent" } as const;

/**
 * A Teams Workflows ("When a Teams webhook request is received") message with one Adaptive Card attachment; the
 * retired Office 365 connectors took MessageCards, Workflows take this shape.
 */
export function buildTeamsRequest(notification: StoredNotification, secrets: ChannelSecrets<"teams">): HttpChannelRequest {
  return {
    url: secrets.url,
    body: {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              {
                type: "TextBlock",
                size: "Medium",
                weight: "Bolder",
                color: COLOR[notification.status],
                wrap: true,
                text: `${statusWord(notification)}: ${notification.rule.name}`,
              },
              { type: "TextBlock", wrap: true, text: notification.message },
              {
                type: "FactSet",
                facts: [
                  { title: "Kind", value: kindLabel(notification) },
                  { title: "Subject", value: notification.subject },
                  { title: "Started", value: notification.startedAt },
                ],
              },
            ],
            actions: [{ type: "Action.OpenUrl", title: notification.link.label, url: notification.link.url }],
          },
        },
      ],
    },
  };
}
