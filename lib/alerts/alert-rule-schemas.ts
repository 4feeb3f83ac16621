import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";
import { REASONS } from "@/lib/events/connection-event.ts";
import { createLimitParamSchema } from "@/lib/validation/query-schemas.ts";
import { ALERT_RULE_KINDS, type AlertRuleKind } from "./alert-kinds.ts";
import { ChannelIdsSchema } from "./channels/alert-channel-schemas.ts";
import { isHttpUrl } from "./webhook-url.ts";

const DAY_SECONDS = 86_400;

// A vendor code as stored on events ("emqx:keepalive_timeout", "mqtt5:0x8E", "connack:5") or a canonical reason.
const CodeOrReasonSchema = z
  .string()
  .trim()
  .min(1, "enter a vendor code such as emqx:keepalive_timeout or a reason such as keepalive_timeout")
  .max(200)
  .refine((code) => /^[a-z0-9_-]+:\S+$/i.test(code) || (REASONS as readonly string[]).includes(code), {
    message: `must be a vendor code with its namespace (emqx:keepalive_timeout) or one of the reasons: ${REASONS.join(", ")}`,
  });

/** "key=value" device label matches. */
export const LabelMatchSchema = z
  .string()
  .trim()
  .max(400)
  .regex(/^[^=\s][^=]*=.*$/, "write labels as key=value");

const ScopeNameSchema = z
  .string()
  .trim()
  .max(200)
  .nullish()
  .transform((value) => (value ? value : null));

export const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2_000, "the webhook URL is too long (at most 2,000 characters)")
  .refine(isHttpUrl, { message: "must be an http:// or https:// URL" });

/** What each rule field means, for the API reference (the create and the patch schemas share them). */
const RULE_FIELDS = {
  name: "the rule's name, shown in notifications",
  kind: "what the rule measures: connected_below, connected_drop_percent, disconnect_rate_above, code_rate_above or device_offline_longer (docs/alerts.md)",
  params:
    "the kind's parameters: `{ threshold }`, plus `code` for code_rate_above and `mode`/`multiplier` for the two rate kinds (docs/alerts.md)",
  source: "measure only events from this source; null: every source",
  brokerNode: "measure only events from this broker node; null: every node",
  windowMinutes: "the window the value is measured over",
  forSeconds: "how long the condition must hold before the alert fires",
  clearMargin: "the value must move this far back past the threshold to count as cleared (hysteresis)",
  clearForSeconds: "how long the value must stay cleared before the alert resolves",
  enabled: "a disabled rule is not evaluated",
  renotifyMinutes: "remind the rule's channels this often while it fires and nobody acknowledged it; null: never",
  excludeDeviceIds: "devices left out of the measurement (known-bad devices)",
  excludeLabels: "devices with any of these `key=value` labels are left out of the measurement",
  excludeFlapping: "leave out chronic flappers: devices that dropped in 6 or more distinct hours of the day before the window",
  channelIds: "the channels notified when the rule fires and resolves (IDs from GET /api/v1/alerts/channels)",
} as const;

const CommonShape = {
  name: requiredTextSchema(120, "give the rule a name").describe(RULE_FIELDS.name),
  source: ScopeNameSchema.describe(RULE_FIELDS.source),
  brokerNode: ScopeNameSchema.describe(RULE_FIELDS.brokerNode),
  windowMinutes: z
    .number()
    .int("whole minutes")
    .min(1, "at least 1 minute")
    .max(1_440, "at most 1,440 minutes (a day)")
    .default(5)
    .describe(RULE_FIELDS.windowMinutes),
  forSeconds: z.number().int("whole seconds").min(0).max(DAY_SECONDS, "at most a day").default(60).describe(RULE_FIELDS.forSeconds),
  clearMargin: z.number().min(0, "cannot be negative").max(1_000_000).default(0).describe(RULE_FIELDS.clearMargin),
  clearForSeconds: z
    .number()
    .int("whole seconds")
    .min(0)
    .max(DAY_SECONDS, "at most a day")
    .default(60)
    .describe(RULE_FIELDS.clearForSeconds),
  enabled: z.boolean().default(true).describe(RULE_FIELDS.enabled),
  // Issue 17: reminders for alerts nobody acknowledged, and devices known to be bad left out of the measurement.
  renotifyMinutes: z
    .number()
    .int("whole minutes")
    .min(5, "at least 5 minutes")
    .max(10_080, "at most a week")
    .nullish()
    .transform((value) => value ?? null)
    .describe(RULE_FIELDS.renotifyMinutes),
  excludeDeviceIds: z
    .array(z.string().trim().min(1).max(500))
    .max(1_000, "at most 1,000 devices")
    .default([])
    .describe(RULE_FIELDS.excludeDeviceIds),
  excludeLabels: z.array(LabelMatchSchema).max(50, "at most 50 labels").default([]).describe(RULE_FIELDS.excludeLabels),
  excludeFlapping: z.boolean().default(false).describe(RULE_FIELDS.excludeFlapping),
};

const positive = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .positive(`${what} must be greater than 0`)
    .max(1_000_000);

export const RATE_MODES = ["fixed", "baseline"] as const;
export type RateMode = (typeof RATE_MODES)[number];

/**
 * Rate rules compare with a fixed rate, or with K × the usual rate (same hour of day, previous 7 days); then the
 * threshold is the floor below which nothing fires, so K × almost nothing never pages. K is kept in fixed mode
 * (ignored) so switching back and forth in the form loses nothing.
 */
const RateModeShape = {
  mode: z.enum(RATE_MODES, { error: `must be one of ${RATE_MODES.join(", ")}` }).default("fixed"),
  multiplier: z
    .number({ error: "K must be a number" })
    .min(1, "K is at least 1 (× the usual rate)")
    .max(1_000, "K is at most 1,000")
    .optional(),
};
const hasMultiplierIfBaseline = (params: { mode: RateMode; multiplier?: number | undefined }) =>
  params.mode === "fixed" || params.multiplier !== undefined;
const MULTIPLIER_REQUIRED = { path: ["multiplier"], message: "give K, the multiple of the usual rate that fires" };

/** Kind-specific parameters: the threshold's meaning and range depend on the kind. */
export const AlertParamsSchemas = {
  connected_below: z.object({
    threshold: z
      .number({ error: "the device count must be a number" })
      .int("a whole number of devices")
      .min(1, "at least 1 device")
      .max(10_000_000),
  }),
  connected_drop_percent: z.object({
    threshold: z.number({ error: "the percentage must be a number" }).gt(0, "more than 0 %").max(100, "at most 100 %"),
  }),
  disconnect_rate_above: z
    .object({ threshold: positive("the drops per minute"), ...RateModeShape })
    .refine(hasMultiplierIfBaseline, MULTIPLIER_REQUIRED),
  code_rate_above: z
    .object({ code: CodeOrReasonSchema, threshold: positive("the events per minute"), ...RateModeShape })
    .refine(hasMultiplierIfBaseline, MULTIPLIER_REQUIRED),
  device_offline_longer: z.object({
    threshold: z
      .number({ error: "the minutes must be a number" })
      .int("whole minutes")
      .min(1, "at least 1 minute")
      .max(525_600, "at most a year"),
  }),
} satisfies Record<AlertRuleKind, z.ZodType>;
export type AlertParams = { threshold: number; code?: string | undefined; mode?: RateMode | undefined; multiplier?: number | undefined };

const ruleVariant = <K extends AlertRuleKind>(kind: K) =>
  z.object({
    ...CommonShape,
    kind: z.literal(kind).describe(RULE_FIELDS.kind),
    params: AlertParamsSchemas[kind].describe(RULE_FIELDS.params),
  });

/** A rule as created (and, after merging a patch into the stored rule, as updated). Its channels are handled apart. */
export const AlertRuleDefinitionSchema = z.discriminatedUnion(
  "kind",
  [
    ruleVariant("connected_below"),
    ruleVariant("connected_drop_percent"),
    ruleVariant("disconnect_rate_above"),
    ruleVariant("code_rate_above"),
    ruleVariant("device_offline_longer"),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? `kind must be one of ${ALERT_RULE_KINDS.join(", ")}` : undefined) },
);
export type AlertRuleDefinition = z.output<typeof AlertRuleDefinitionSchema>;

export const CreateAlertRuleSchema = z.intersection(
  AlertRuleDefinitionSchema,
  z.object({ channelIds: ChannelIdsSchema.default([]).describe(RULE_FIELDS.channelIds) }),
);
export type CreateAlertRule = z.output<typeof CreateAlertRuleSchema>;

/** Every field optional; `channelIds`: omitted keeps the rule's channels, a list replaces them. */
export const UpdateAlertRuleSchema = z
  .object({
    ...(Object.fromEntries(
      (Object.keys(RULE_FIELDS) as (keyof typeof RULE_FIELDS)[])
        .filter((field) => field !== "channelIds")
        .map((field) => [field, z.unknown().describe(RULE_FIELDS[field])]),
    ) as Record<Exclude<keyof typeof RULE_FIELDS, "channelIds">, z.ZodUnknown>),
    channelIds: ChannelIdsSchema.describe(`${RULE_FIELDS.channelIds}; omitted: the rule keeps its channels`),
  })
  .partial()
  .strict();
export type UpdateAlertRule = z.output<typeof UpdateAlertRuleSchema>;

export const AlertRuleIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const ALERT_HISTORY_KINDS = ["fired", "resolved", "test"] as const;

export const AlertHistoryQuerySchema = z.object({
  ruleId: z.string().regex(AlertRuleIdPattern, "must be a rule ID").optional().describe("only this rule's history"),
  status: z
    .enum(ALERT_HISTORY_KINDS, { error: `must be one of ${ALERT_HISTORY_KINDS.join(", ")}` })
    .optional()
    .describe("only rows of this kind: fired, resolved, or test notifications"),
  limit: createLimitParamSchema(100, 500),
  before: z
    .string()
    .regex(/^\d{1,19}$/, "must be a history row ID (nextBefore of the previous page)")
    .transform(BigInt)
    .optional()
    .describe("the `nextBefore` of the previous page; omit for the newest rows"),
});
export type AlertHistoryQuery = z.output<typeof AlertHistoryQuerySchema>;
