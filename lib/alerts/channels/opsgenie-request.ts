import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelEndpoints, HttpChannelRequest } from "./http-channel-request.ts";
import { buildDedupKey, describeHeadline, kindLabel, type StoredNotification } from "./stored-notification.ts";

type OpsgenieChannel = Extract<ChannelConfig, { type: "opsgenie" }>;

/** Alert API v2: create with an alias on firing, close by that alias on resolve. */
export function buildOpsgenieRequest(
  notification: StoredNotification,
  channel: OpsgenieChannel,
  endpoints: ChannelEndpoints,
): HttpChannelRequest {
  const base = endpoints.opsgenieApiUrl[channel.settings.region].replace(/\/+$/, "");
  const headers = { authorization: `GenieKey ${channel.secrets.apiKey}` };
  const alias =
    notification.status === "test" ? `${buildDedupKey(notification)}:test:${notification.occurredAt}` : buildDedupKey(notification);
  if (notification.status === "resolved") {
    return {
      url: `${base}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`,
      headers,
      body: { source: "Linkscope", note: notification.message },
    };
  }
  return {
    url: `${base}/v2/alerts`,
    headers,
    body: {
      message: describeHeadline(notification).slice(0, 130),
      alias,
      description: `${notification.message}\n${notification.link.url}`.slice(0, 15_000),
      source: "Linkscope",
      entity: notification.subject,
      priority: notification.status === "test" ? "P5" : channel.settings.priority,
      tags: ["linkscope", notification.rule.kind],
      details: {
        rule: notification.rule.name,
        kind: kindLabel(notification),
        subject: notification.subject,
        link: notification.link.url,
        startedAt: notification.startedAt,
      },
    },
  };
}
