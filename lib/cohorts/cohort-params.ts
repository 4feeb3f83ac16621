import { z } from "zod";
import { FleetQuerySchema } from "@/lib/fleet/fleet-params.ts";
import { CohortDimensionSchema } from "./cohort-dimension.ts";

/** A cohort value as the list shows it; "" is the devices without one. */
const CohortValueSchema = z.string().max(300, "must be at most 300 characters");

export const CohortListQuerySchema = FleetQuerySchema.extend({
  by: CohortDimensionSchema.optional()
    .transform((by) => by ?? { kind: "firmware" as const })
    .describe("what devices are grouped by: firmware (default), region, network or label:<key>"),
});

export const CohortCompareQuerySchema = CohortListQuerySchema.extend({
  a: CohortValueSchema.describe('the cohort to compare: a value of `by` ("": the devices without one)'),
  b: CohortValueSchema.optional().describe("the cohort to compare with; omitted: every other device"),
});

/** Longest before / after period a rollout compares (one week each side). */
export const MAX_ROLLOUT_SPAN_HOURS = 168;

export const RolloutQuerySchema = FleetQuerySchema.extend({
  firmware: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe("the version devices moved to; omitted: the latest rollout (the version most recently moved to)"),
  hours: z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number of hours between 1 and ${MAX_ROLLOUT_SPAN_HOURS}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_ROLLOUT_SPAN_HOURS, `must be at most ${MAX_ROLLOUT_SPAN_HOURS}`))
    .optional()
    .transform((hours) => hours ?? 24)
    .describe("how many hours before and after each device's own move are compared (default 24)"),
});
