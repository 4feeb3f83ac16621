import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";
import { AlertRuleIdPattern, LabelMatchSchema } from "./alert-rule-schemas.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";
import { TimestampBodySchema } from "@/lib/validation/query-schemas.ts";

const optionalName = z
  .string()
  .trim()
  .max(200)
  .nullish()
  .transform((value) => (value ? value : null));
const DeviceIdListSchema = z.array(z.string().min(1).max(500)).max(1_000, "at most 1,000 devices");

/**
 * A silence: for `minutes` from now (or until `endsAt`). `rule`: mutes one rule; `scope`: mutes the rules within a
 * source / broker node; `devices` / `label`: leave devices out of the measurement of one rule (ruleId) or all rules.
 */
export const CreateAlertSilenceSchema = z
  .object({
    target: z
      .enum(["rule", "scope", "devices", "label"], { error: "target must be one of rule, scope, devices, label" })
      .describe(
        "rule: mute one rule; scope: mute the rules of a source / broker node; devices or label: leave those devices out of the measurement",
      ),
    ruleId: z
      .string()
      .regex(AlertRuleIdPattern, "must be a rule ID")
      .nullish()
      .transform((id) => id ?? null)
      .describe("the rule (required for target rule; for devices and label: only this rule, null: every rule)"),
    source: optionalName.describe("target scope: the source whose rules are muted"),
    brokerNode: optionalName.describe("target scope: the broker node whose rules are muted"),
    deviceIds: z
      .union([DeviceIdListSchema, z.string().max(100_000)])
      .optional()
      .transform((ids) => [...new Set((typeof ids === "string" ? ids.split(/[\n,]/) : (ids ?? [])).map((id) => id.trim()).filter(Boolean))])
      .describe("target devices: device IDs, as a list or one string separated by commas or new lines"),
    label: LabelMatchSchema.nullish()
      .transform((label) => label ?? null)
      .describe("target label: devices carrying this `key=value` label"),
    reason: requiredTextSchema(500, "say why (it is shown with the silence)").describe("why, shown with the silence"),
    minutes: z
      .number()
      .int("whole minutes")
      .min(1, "at least 1 minute")
      .max(90 * 24 * 60, "at most 90 days")
      .optional()
      .describe("how long from now the silence lasts (or give endsAt)"),
    endsAt: TimestampBodySchema.optional(),
  })
  .superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (input.target === "rule" && !input.ruleId) issue("ruleId", "choose the rule to silence");
    if (input.target === "scope" && !input.source && !input.brokerNode) issue("source", "name a source or broker node");
    if (input.target === "devices" && input.deviceIds.length === 0) issue("deviceIds", "list at least one device ID");
    if (input.target === "label" && !input.label) issue("label", "enter a label as key=value");
    if (input.minutes === undefined && input.endsAt === undefined) issue("minutes", "give a duration or an end time");
  });
export type CreateAlertSilence = z.output<typeof CreateAlertSilenceSchema>;

/** A maintenance window; recurring ones repeat every day / week (UTC) from `startsAt`. */
export const CreateMaintenanceWindowSchema = z
  .object({
    name: requiredTextSchema(120, "give the window a name").describe("the window's name, e.g. Nightly broker restart"),
    recurrence: z
      .enum(["once", "daily", "weekly"], { error: "recurrence must be once, daily or weekly" })
      .describe("once, or repeating every day / every week (UTC) from startsAt"),
    startsAt: TimestampBodySchema,
    durationMinutes: z
      .number()
      .int("whole minutes")
      .min(1, "at least 1 minute")
      .max(7 * 24 * 60, "at most 7 days")
      .describe("how long each occurrence lasts"),
    until: TimestampBodySchema.nullish()
      .transform((until) => until ?? null)
      .describe("a repeating window stops repeating after this instant; null: forever"),
    source: optionalName.describe("only rules and drops of this source; null: every source"),
    brokerNode: optionalName.describe("only rules and drops of this broker node; null: every node"),
  })
  .refine((input) => input.recurrence !== "daily" || input.durationMinutes < 24 * 60, {
    path: ["durationMinutes"],
    message: "a daily window must be shorter than a day",
  })
  .refine((input) => input.recurrence !== "weekly" || input.durationMinutes < 7 * 24 * 60, {
    path: ["durationMinutes"],
    message: "a weekly window must be shorter than a week",
  });
export type CreateMaintenanceWindow = z.output<typeof CreateMaintenanceWindowSchema>;

/** Acknowledges the rule's firing alerts: one subject (device ID or "fleet"), or all of them. */
export const AcknowledgeAlertSchema = z.object({
  subject: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe("one firing alert: its device ID, or `fleet`; omitted: every firing alert of the rule"),
});
export type AcknowledgeAlert = z.output<typeof AcknowledgeAlertSchema>;

export const ALERT_SILENCE_DEFAULT_MINUTES = 60;
export const minutesToMs = (minutes: number) => minutes * MINUTE_MS;
