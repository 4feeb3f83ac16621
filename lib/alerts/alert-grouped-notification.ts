import { describeScope, type NotifiedRule } from "./alert-notification.ts";

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

/** Prefixes the reason for a repeated notification to its message. */
export function withNoticeReason(message: string, reason: NoticeReason): string {
  const note = describeNoticeReason(reason);
  return note ? `${note}: ${message}` : message;
}
