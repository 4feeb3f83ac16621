import { Prisma } from "@/lib/db/client.ts";

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
 * The per-minute disconnect / failed-connect counts to read, as a relation with bucket, device_id (null when
 * unfiltered), kind, reason, code and count: the fleet-wide rollup when nothing is filtered (the cheapest), else
 * the per-device rollup, joined to devices only when metadata is filtered.
 */
export function reasonRollupRelation(filter: FleetFilter, options: { perDevice?: boolean } = {}): Prisma.Sql {
  if (isUnfiltered(filter) && !options.perDevice) {
    return Prisma.sql`(SELECT bucket, NULL::text AS device_id, kind, reason, code, count FROM event_rollup_minute)`;
  }
  const join = hasDeviceMetadataFilter(filter)
    ? Prisma.sql`JOIN devices d ON d.id = r.device_id ${deviceMetadataConditions(filter)}`
    : Prisma.empty;
  return Prisma.sql`(SELECT r.bucket, r.device_id, r.kind, r.reason, r.code, r.count FROM device_reason_minute r ${join} WHERE true ${scopeConditions(filter, "r")})`;
}
