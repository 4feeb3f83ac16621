import { createHash } from "node:crypto";
import { z } from "zod";
import { ALERT_KINDS, ALERT_RULE_KINDS } from "../alert-kinds.ts";
import { describeAlertValue, type AlertNotification } from "../alert-notification.ts";

/** A notification as a delivery row keeps it: enough to render every channel later, with the rule as it was. */
export const StoredNotificationSchema = z.object({
  rule: z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(ALERT_RULE_KINDS),
    threshold: z.number(),
    source: z.string().nullable(),
    brokerNode: z.string().nullable(),
  }),
  status: z.enum(["firing", "resolved", "test"]),
  subject: z.string(),
  value: z.number().nullable(),
  // The threshold the value was compared with (a baseline rule's K × the usual rate); absent in rows queued before baselines.
  threshold: z.number().optional(),
  message: z.string(),
  link: z.object({ url: z.string(), label: z.string() }),
  startedAt: z.iso.datetime(),
  occurredAt: z.iso.datetime(),
  // A grouped notification about several devices of an offline rule: the count and the first ones.
  devices: z.object({ count: z.number(), listed: z.array(z.string()) }).optional(),
});
export type StoredNotification = z.output<typeof StoredNotificationSchema>;

export function toStoredNotification(notification: AlertNotification, occurredAt: Date, message?: string): StoredNotification {
  const { rule } = notification;
  return {
    rule: { id: rule.id, name: rule.name, kind: rule.kind, threshold: rule.threshold, source: rule.source, brokerNode: rule.brokerNode },
    status: notification.status,
    subject: notification.subject,
    value: notification.value,
    threshold: comparedThreshold(notification),
    message: message ?? describeAlertValue(rule, notification.subject, notification.value, notification.threshold),
    link: notification.link,
    startedAt: notification.startedAt.toISOString(),
    occurredAt: occurredAt.toISOString(),
  };
}

/** The threshold the value was compared with; the rule's own when a baseline rule had no baseline yet. */
export function comparedThreshold(notification: Pick<AlertNotification, "rule" | "threshold">): number {
  const { threshold } = notification;
  return threshold !== undefined && Number.isFinite(threshold) ? threshold : notification.rule.threshold;
}

export function kindLabel(notification: StoredNotification): string {
  return ALERT_KINDS[notification.rule.kind].label;
}

export function statusWord(notification: StoredNotification): string {
  return notification.status === "firing" ? "FIRING" : notification.status === "resolved" ? "RESOLVED" : "TEST";
}

/** One line: `[FIRING] Rule name: what happened`. */
export function describeHeadline(notification: StoredNotification): string {
  return `[${statusWord(notification)}] ${notification.rule.name}: ${notification.message}`;
}

/**
 * The same key for every notification of one rule and subject, so PagerDuty and Opsgenie fold a firing and its
 * resolve into one incident. Long device IDs are hashed to stay within PagerDuty's 255 characters.
 */
export function buildDedupKey(notification: StoredNotification): string {
  const readable = `linkscope:${notification.rule.id}:${notification.subject}`;
  if (readable.length <= 255) return readable;
  return `linkscope:${notification.rule.id}:sha256:${createHash("sha256").update(notification.subject).digest("hex")}`;
}
