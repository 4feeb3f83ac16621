import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelEndpoints, HttpChannelRequest } from "./http-channel-request.ts";
import { buildDedupKey, describeHeadline, kindLabel, type StoredNotification } from "./stored-notification.ts";

type PagerDutyChannel = Extract<ChannelConfig, { type: "pagerduty" }>;

/** Events API v2: trigger on firing (and for a test), resolve with the same dedup key. */
export function buildPagerDutyRequest(
  notification: StoredNotification,
  channel: PagerDutyChannel,
  endpoints: ChannelEndpoints,
): HttpChannelRequest {
  const dedupKey =
    notification.status === "test" ? `${buildDedupKey(notification)}:test:${notification.occurredAt}` : buildDedupKey(notification);
  const common = { routing_key: channel.secrets.routingKey, dedup_key: dedupKey };
  if (notification.status === "resolved") return { url: endpoints.pagerDutyEventsUrl, body: { ...common, event_action: "resolve" } };
  return {
    url: endpoints.pagerDutyEventsUrl,
    body: {
      ...common,
      event_action: "trigger",
      payload: {
        summary: describeHeadline(notification).slice(0, 1024),
        source: notification.subject === "fleet" ? "linkscope fleet" : notification.subject,
        severity: notification.status === "test" ? "info" : channel.settings.severity,
        timestamp: notification.startedAt,
        component: notification.rule.source ?? undefined,
        group: notification.rule.brokerNode ?? undefined,
        class: kindLabel(notification),
        custom_details: {
          rule: notification.rule.name,
          ruleId: notification.rule.id,
          value: notification.value,
          threshold: notification.threshold ?? notification.rule.threshold,
        },
      },
      client: "Linkscope",
      client_url: notification.link.url,
      links: [{ href: notification.link.url, text: notification.link.label }],
    },
  };
}
