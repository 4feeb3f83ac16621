import { ALERT_KINDS, FLEET_SUBJECT } from "./alert-kinds.ts";
import { buildWebhookPayload, describeScope, escapeSlackText, type AlertLink, type NotifiedRule, type WebhookPayload } from "./alert-notification.ts";

/** A grouped notification lists this many devices by name; the rest are counted. */
export const GROUP_LISTED_DEVICES = 10;

export type NoticeReason = "transition" | "after_silence" | "reminder";

/** Why a notification is sent again for an alert that already fired, prefixed to its text. */
export function describeNoticeReason(reason: NoticeReason): string | null {
  if (reason === "after_silence") return "Silence or maintenance over, still firing";
  if (reason === "reminder") return "Still firing, not acknowledged";
  return null;
}

/** "a, b, c and 7 more" */
export function listDevices(deviceIds: string[]): string {
  const listed = deviceIds.slice(0, GROUP_LISTED_DEVICES).join(", ");
  const more = deviceIds.length - GROUP_LISTED_DEVICES;
  return more > 0 ? `${listed} and ${more.toLocaleString("en-US")} more` : listed;
}

/** The history message of one notification about several devices of an offline rule. */
export function describeDeviceGroup(rule: NotifiedRule, status: "firing" | "resolved", deviceIds: string[]): string {
  const count = deviceIds.length.toLocaleString("en-US");
  const what = status === "firing" ? `offline for more than ${rule.threshold} min` : "back online or no longer counted";
  return `${count} devices ${what} (${describeScope(rule)}): ${listDevices(deviceIds)}`;
}

/**
 * The webhook body of a grouped notification: the usual body about the fleet, with the message naming the first
 * devices and the count, and the device IDs for programs.
 */
export function buildGroupedWebhookPayload(
  input: { rule: NotifiedRule; status: "firing" | "resolved"; deviceIds: string[]; startedAt: Date; link: AlertLink },
): WebhookPayload & { devices: { count: number; listed: string[] } } {
  const payload = buildWebhookPayload({ rule: input.rule, status: input.status, subject: FLEET_SUBJECT, value: input.deviceIds.length, startedAt: input.startedAt, link: input.link });
  const [title, , ...rest] = payload.text.split("\n");
  const message = escapeSlackText(describeDeviceGroup(input.rule, input.status, input.deviceIds));
  return {
    ...payload,
    text: [title ?? ALERT_KINDS[input.rule.kind].label, message, ...rest].join("\n"),
    devices: { count: input.deviceIds.length, listed: input.deviceIds.slice(0, GROUP_LISTED_DEVICES) },
  };
}

/** Prefixes the reason for a repeated notification to a webhook body's text. */
export function withNoticeReason<T extends { text: string }>(payload: T, reason: NoticeReason): T {
  const note = describeNoticeReason(reason);
  return note ? { ...payload, text: `_${note}_\n${payload.text}` } : payload;
}
