import { escapeSlackText } from "../alert-notification.ts";
import type { ChannelSecrets } from "./channel-config.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";
import { kindLabel, type StoredNotification } from "./stored-notification.ts";

const EMOJI = { firing: ":rotating_light:", resolved: ":white_check_mark:", test: ":test_tube:" } as const;

function buildSlackTitle(notification: StoredNotification): string {
  return `${EMOJI[notification.status]} *${notification.status.toUpperCase()}* ${escapeSlackText(notification.rule.name)} (${escapeSlackText(kindLabel(notification))})`;
}

/** Three lines of Slack mrkdwn (title, value, `<url|label>`); user text (rule names, device IDs) cannot break out. */
export function buildSlackText(notification: StoredNotification): string {
  const { link } = notification;
  return [
    buildSlackTitle(notification),
    escapeSlackText(notification.message),
    `<${link.url.replace(/[|>]/g, encodeURIComponent)}|${escapeSlackText(link.label)}>`,
  ].join("\n");
}

/** A Slack incoming-webhook message: `text` is the notification fallback, the blocks are what people see. */
export function buildSlackRequest(notification: StoredNotification, secrets: ChannelSecrets<"slack">): HttpChannelRequest {
  const { link } = notification;
  const title = buildSlackTitle(notification);
  return {
    url: secrets.url,
    body: {
      text: buildSlackText(notification),
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `${title}\n${escapeSlackText(notification.message)}` } },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: `Started ${notification.startedAt} · subject ${escapeSlackText(notification.subject)}` }],
        },
        { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: link.label.slice(0, 75) }, url: link.url }] },
      ],
    },
  };
}
