import { escapeSlackText } from "../alert-notification.ts";
import type { ChannelSecrets } from "./channel-config.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";
import { kindLabel, type StoredNotification } from "./stored-notification.ts";

const EMOJI = { firing: ":rotating_light:", resolved: ":white_check_mark:", test: ":test_tube:" } as const;

/** A Slack incoming-webhook message: `text` is the notification fallback, the blocks are what people see. */
export function buildSlackRequest(notification: StoredNotification, secrets: ChannelSecrets<"slack">): HttpChannelRequest {
  const { status, rule, link } = notification;
  const title = `${EMOJI[status]} *${status.toUpperCase()}* ${escapeSlackText(rule.name)} (${escapeSlackText(kindLabel(notification))})`;
  const linkText = `<${link.url.replace(/[|>]/g, encodeURIComponent)}|${escapeSlackText(link.label)}>`;
  return {
    url: secrets.url,
    body: {
      text: `${title}\n${escapeSlackText(notification.message)}\n${linkText}`,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `${title}\n${escapeSlackText(notification.message)}` } },
        { type: "context", elements: [{ type: "mrkdwn", text: `Started ${notification.startedAt} · subject ${escapeSlackText(notification.subject)}` }] },
        { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: link.label.slice(0, 75) }, url: link.url }] },
      ],
    },
  };
}
