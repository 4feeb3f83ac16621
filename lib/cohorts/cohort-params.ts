import { z } from "zod";
import { FleetQuerySchema } from "@/lib/fleet/fleet-params.ts";
import { CohortDimensionSchema } from "./cohort-dimension.ts";

/** A cohort value as the list shows it; "" is the devices without one. */
const CohortValueSchema = z.string().max(300, "must be at most 300 characters");

export const CohortListQuerySchema = FleetQuerySchema.extend({
  by: CohortDimensionSchema.optional().transform((by) => by ?? { kind: "firmware" as const }),
});

export const CohortCompareQuerySchema = CohortListQuerySchema.extend({ a: CohortValueSchema, b: CohortValueSchema.optional() });

/** Longest before / after period a rollout compares (one week each side). */
export const MAX_ROLLOUT_SPAN_HOURS = 168;

export const RolloutQuerySchema = FleetQuerySchema.extend({
  firmware: z.string().trim().min(1).max(300).optional(),
  hours: z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number of hours between 1 and ${MAX_ROLLOUT_SPAN_HOURS}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_ROLLOUT_SPAN_HOURS, `must be at most ${MAX_ROLLOUT_SPAN_HOURS}`))
    .optional()
    .transform((hours) => hours ?? 24),
});
