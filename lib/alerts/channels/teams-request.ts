import type { ChannelSecrets } from "./channel-config.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";
import { kindLabel, statusWord, type StoredNotification } from "./stored-notification.ts";

const COLOR = { firing: "attention", resolved: "good", test: "accent" } as const;

/**
 * Text as it is: a RichTextBlock's runs are not read as Markdown, where a TextBlock's or a fact's text is (a device ID
 * `[x](https://…)` would be a link, `**` bold). Every text here can carry a device ID, a rule name or a message.
 */
function plainRuns(...runs: { text: string; weight?: "Bolder"; size?: "Medium"; color?: string }[]) {
  return { type: "RichTextBlock", inlines: runs.map((run) => ({ type: "TextRun", ...run })) };
}

/**
 * A Teams Workflows ("When a Teams webhook request is received") message with one Adaptive Card attachment; the
 * retired Office 365 connectors took MessageCards, Workflows take this shape.
 */
export function buildTeamsRequest(notification: StoredNotification, secrets: ChannelSecrets<"teams">): HttpChannelRequest {
  const fact = (title: string, value: string) => plainRuns({ text: `${title}: `, weight: "Bolder" }, { text: value });
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
              plainRuns({
                text: `${statusWord(notification)}: ${notification.rule.name}`,
                weight: "Bolder",
                size: "Medium",
                color: COLOR[notification.status],
              }),
              plainRuns({ text: notification.message }),
              fact("Kind", kindLabel(notification)),
              fact("Subject", notification.subject),
              fact("Started", notification.startedAt),
            ],
            actions: [{ type: "Action.OpenUrl", title: notification.link.label, url: notification.link.url }],
          },
        },
      ],
    },
  };
}
