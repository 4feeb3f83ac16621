import { Prisma } from "@/lib/db/client.ts";
import { HOUR_MS } from "@/lib/time/durations.ts";
import { QUARTER_DAY_MS, splitAtBuckets, withinRanges } from "./split-at-buckets.ts";

/**
 * Which part of the fleet a view is about. `source` and `brokerNode` are the event's own (where the device
 * connected); firmware, region, network and labels are the device's metadata. Unset means "all"; a broker node
 * of "" means events without one.
 */
export type FleetFilter = {
  source?: string | undefined;
  brokerNode?: string | undefined;
  firmware?: string | undefined;
  region?: string | undefined;
  network?: string | undefined;
  /** Every pair must match (`labels @> {...}`). */
  labels?: Record<string, string> | undefined;
};

export function hasDeviceMetadataFilter(filter: FleetFilter): boolean {
  return Boolean(filter.firmware || filter.region || filter.network || (filter.labels && Object.keys(filter.labels).length > 0));
}

export function isUnfiltered(filter: FleetFilter): boolean {
  return !hasDeviceMetadataFilter(filter) && filter.source === undefined && filter.brokerNode === undefined;
}

/** `AND …` conditions on a devices row aliased `d` (metadata only). */
export function deviceMetadataConditions(filter: FleetFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.firmware) parts.push(Prisma.sql`AND d.firmware = ${filter.firmware}`);
  if (filter.region) parts.push(Prisma.sql`AND d.region = ${filter.region}`);
  if (filter.network) parts.push(Prisma.sql`AND d.network = ${filter.network}`);
  if (filter.labels && Object.keys(filter.labels).length > 0)
    parts.push(Prisma.sql`AND d.labels @> ${JSON.stringify(filter.labels)}::jsonb`);
  return parts.length > 0 ? Prisma.join(parts, " ") : Prisma.empty;
}

/** `AND …` conditions on a row aliased `alias` that has source and broker_node columns. */
export function scopeConditions(filter: FleetFilter, alias: "r" | "d"): Prisma.Sql {
  const table = Prisma.raw(alias);
  const parts: Prisma.Sql[] = [];
  if (filter.source !== undefined) parts.push(Prisma.sql`AND ${table}.source = ${filter.source}`);
  if (filter.brokerNode !== undefined) {
    parts.push(
      alias === "d"
        ? Prisma.sql`AND COALESCE(d.broker_node, '') = ${filter.brokerNode}`
        : Prisma.sql`AND ${table}.broker_node = ${filter.brokerNode}`,
    );
  }
  return parts.length > 0 ? Prisma.join(parts, " ") : Prisma.empty;
}

/**
 * The one (dimension, value) of fleet_reason_hour / _quarter_day a filter reads: ["", ""] without metadata, the metadata filter when
 * it names exactly one of firmware, region, network or a label; undefined for a combination (per-device minutes then).
 */
export function fleetReasonDimension(filter: FleetFilter): [string, string] | undefined {
  const pairs: [string, string][] = [];
  if (filter.firmware) pairs.push(["firmware", filter.firmware]);
  if (filter.region) pairs.push(["region", filter.region]);
  if (filter.network) pairs.push(["network", filter.network]);
  for (const [key, value] of Object.entries(filter.labels ?? {})) pairs.push([`label:${key}`, value]);
  if (pairs.length > 1) return undefined;
  return pairs[0] ?? ["", ""];
}

/**
 * The ranges between `cuts` read from the coarse rollups: hours always, quarter days only when every bin a reader
 * groups by is whole quarter days (a coarse row counts in its bucket's bin).
 */
export type RollupCuts = { cuts: readonly Date[]; quarterDays: boolean };

/**
 * The per-minute disconnect / failed-connect counts to read, as a relation with bucket, device_id (null when
 * unfiltered), kind, reason, code and count: the fleet-wide rollup when nothing is filtered (the cheapest), else
 * the per-device rollup, joined to devices only when metadata is filtered. With `rollupCuts`, whole quarter days and
 * hours come from the coarse rollups and minutes only at the ranges' edges (decisions 038, 044, 046).
 */
export function reasonRollupRelation(
  filter: FleetFilter,
  options: { perDevice?: boolean; rollupCuts?: RollupCuts | undefined } = {},
): Prisma.Sql {
  if (isUnfiltered(filter) && !options.perDevice) {
    return options.rollupCuts
      ? eventRollupRows(options.rollupCuts)
      : Prisma.sql`(SELECT bucket, NULL::text AS device_id, kind, reason, code, count FROM event_rollup_minute)`;
  }
  const join = hasDeviceMetadataFilter(filter)
    ? Prisma.sql`JOIN devices d ON d.id = r.device_id ${deviceMetadataConditions(filter)}`
    : Prisma.empty;
  const perDevice = Prisma.sql`(SELECT r.bucket, r.device_id, r.kind, r.reason, r.code, r.count FROM device_reason_minute r ${join} WHERE true ${scopeConditions(filter, "r")})`;
  const dimension = fleetReasonDimension(filter);
  if (options.perDevice || !options.rollupCuts || !dimension) return perDevice;
  const { quarterDays, hours, minutes } = splitAtBuckets(options.rollupCuts.cuts, options.rollupCuts);
  const scope = Prisma.sql`r.dimension = ${dimension[0]} AND r.value = ${dimension[1]} ${scopeConditions(filter, "r")}`;
  return Prisma.sql`(
    SELECT r.bucket, NULL::text AS device_id, r.kind, r.reason, r.code, r.count FROM fleet_reason_quarter_day r
    WHERE ${scope} AND (${withinRanges(quarterDays, Prisma.sql`r.bucket`)})
    UNION ALL
    SELECT r.bucket, NULL::text AS device_id, r.kind, r.reason, r.code, r.count FROM fleet_reason_hour r
    WHERE ${scope} AND (${withinRanges(hours, Prisma.sql`r.bucket`)})
    UNION ALL
    SELECT m.bucket, NULL::text AS device_id, m.kind, m.reason, m.code, m.count FROM ${perDevice} m WHERE ${withinRanges(minutes, Prisma.sql`m.bucket`)})`;
}

/**
 * Cuts for reasonRollupRelation's coarse reading of [ranges…) grouped in bins of `binMs`: hours when the bins are whole
 * hours, quarter days too when they are whole quarter days; else undefined (minutes only).
 */
export function rollupCutsFor(cuts: readonly Date[], binMs: number): RollupCuts | undefined {
  return binMs % HOUR_MS === 0 ? { cuts: [...cuts], quarterDays: binMs % QUARTER_DAY_MS === 0 } : undefined;
}

/**
 * The fleet-wide rollup over the ranges between `cuts`, as reasonRollupRelation's columns: whole quarter days from
 * event_rollup_quarter_day (decision 046), whole hours from event_rollup_hour (decision 038), the minutes at each
 * range's edges from event_rollup_minute. Rows outside the ranges are left out, so a reader may still filter by bucket.
 */
export function eventRollupRows(rollupCuts: RollupCuts): Prisma.Sql {
  const { quarterDays, hours, minutes } = splitAtBuckets(rollupCuts.cuts, rollupCuts);
  return Prisma.sql`(
    SELECT bucket, NULL::text AS device_id, kind, reason, code, count FROM event_rollup_quarter_day WHERE ${withinRanges(quarterDays, Prisma.sql`bucket`)}
    UNION ALL
    SELECT bucket, NULL::text AS device_id, kind, reason, code, count FROM event_rollup_hour WHERE ${withinRanges(hours, Prisma.sql`bucket`)}
    UNION ALL
    SELECT bucket, NULL::text AS device_id, kind, reason, code, count FROM event_rollup_minute WHERE ${withinRanges(minutes, Prisma.sql`bucket`)})`;
}
