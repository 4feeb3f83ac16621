import { z } from "zod";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS, TimestampParamSchema, type TimeRange } from "@/lib/validation/query-schemas.ts";
import type { FleetFilter } from "./fleet-filter.ts";
import { MAX_FLEET_RANGE_DAYS } from "./fleet-view-state.ts";

const FilterValueSchema = z.string().trim().min(1, "must not be empty").max(300, "must be at most 300 characters").optional();

/** `key=value` pairs, comma-separated: `label=model=TH-2,profile=healthy`. */
const LabelsParamSchema = z
  .string()
  .max(1000)
  .transform((text, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)) {
      const at = pair.indexOf("=");
      if (at <= 0) {
        ctx.addIssue({ code: "custom", message: `must be key=value pairs separated by commas, got "${pair.slice(0, 60)}"` });
        return z.NEVER;
      }
      labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return labels;
  })
  .optional();

/** Range and filters every fleet view accepts (the /fleet page keeps the same names in its URL). */
export const FleetQuerySchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
  source: FilterValueSchema.describe("only events from this source (a broker, webhook or import source name, as on the ingest page)"),
  // A broker node may legitimately be "" (events without one), so it is not trimmed to nothing.
  node: z
    .string()
    .max(300, "must be at most 300 characters")
    .optional()
    .describe("only events reported by this broker node; empty: events that carried no node"),
  firmware: FilterValueSchema.describe("only devices whose metadata says this firmware version"),
  region: FilterValueSchema.describe("only devices in this region (device metadata)"),
  network: FilterValueSchema.describe("only devices on this network type, e.g. cellular or wifi (device metadata)"),
  label: LabelsParamSchema.describe("only devices carrying every one of these labels: `key=value` pairs separated by commas"),
});
export type FleetQuery = z.output<typeof FleetQuerySchema>;

export function toFleetFilter(query: FleetQuery): FleetFilter {
  return {
    source: query.source,
    brokerNode: query.node,
    firmware: query.firmware,
    region: query.region,
    network: query.network,
    labels: query.label && Object.keys(query.label).length > 0 ? query.label : undefined,
  };
}

/** from/to (default: the last 24 h), ordered and at most 90 days; 400 with a readable message otherwise. */
export function requireFleetRange(query: FleetQuery, now = new Date()): TimeRange {
  const range = requireTimeRange(query, DAY_IN_MS, now);
  if (range.to.getTime() - range.from.getTime() > MAX_FLEET_RANGE_DAYS * DAY_IN_MS) {
    const message = `the range from..to must be at most ${MAX_FLEET_RANGE_DAYS} days for fleet views`;
    throw new InvalidInputError("invalid_query", message, [{ path: "from", message }]);
  }
  return range;
}
