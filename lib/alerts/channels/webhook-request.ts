import type { ChannelSecrets } from "./channel-config.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";
import { buildSlackText } from "./slack-request.ts";
import type { StoredNotification } from "./stored-notification.ts";

/** The generic JSON body (unchanged since issue 5): `text` is Slack mrkdwn, `alert` is for programs. */
export function buildWebhookRequest(notification: StoredNotification, secrets: ChannelSecrets<"webhook">): HttpChannelRequest {
  const { rule, link } = notification;
  return {
    url: secrets.url,
    body: {
      text: buildSlackText(notification),
      alert: {
        rule: rule.name,
        ruleId: rule.id,
        kind: rule.kind,
        status: notification.status,
        value: notification.value,
        threshold: notification.threshold ?? rule.threshold,
        scope: { source: rule.source, brokerNode: rule.brokerNode },
        subject: notification.subject,
        startedAt: notification.startedAt,
      },
      link: link.url,
      ...(notification.devices ? { devices: notification.devices } : {}),
    },
  };
}
