import { readOutboundPolicy, type OutboundPolicy } from "@/lib/security/outbound-policy.ts";
import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import type { ChannelEndpoints, HttpChannelRequest } from "./http-channel-request.ts";
import { buildOpsgenieRequest } from "./opsgenie-request.ts";
import { buildPagerDutyRequest } from "./pagerduty-request.ts";
import { postChannelRequest } from "./post-channel-request.ts";
import { sendEmail } from "./send-email.ts";
import { buildSlackRequest } from "./slack-request.ts";
import type { StoredNotification } from "./stored-notification.ts";
import { buildTeamsRequest } from "./teams-request.ts";
import { buildWebhookRequest } from "./webhook-request.ts";

/** `outbound`: which addresses channels may reach; LINKSCOPE_OUTBOUND_ALLOW when not given. */
export type SendOptions = { endpoints: ChannelEndpoints; timeoutMs: number; outbound?: OutboundPolicy };

/** The HTTP request a channel sends for a notification (pure: unit-tested per type). */
export function buildChannelRequest(
  notification: StoredNotification,
  channel: Exclude<ChannelConfig, { type: "email" }>,
  endpoints: ChannelEndpoints,
): HttpChannelRequest {
  switch (channel.type) {
    case "slack":
      return buildSlackRequest(notification, channel.secrets);
    case "teams":
      return buildTeamsRequest(notification, channel.secrets);
    case "webhook":
      return buildWebhookRequest(notification, channel.secrets);
    case "pagerduty":
      return buildPagerDutyRequest(notification, channel, endpoints);
    case "opsgenie":
      return buildOpsgenieRequest(notification, channel, endpoints);
  }
}

/** One attempt to send the notification through the channel. */
export async function sendToChannel(
  notification: StoredNotification,
  channel: ChannelConfig,
  options: SendOptions,
): Promise<ChannelSendResult> {
  const outbound = options.outbound ?? readOutboundPolicy();
  if (channel.type === "email") return sendEmail(notification, channel, { timeoutMs: options.timeoutMs, outbound });
  return postChannelRequest(buildChannelRequest(notification, channel, options.endpoints), { timeoutMs: options.timeoutMs, outbound });
}
