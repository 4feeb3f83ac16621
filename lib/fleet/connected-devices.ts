import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

/** Which part of the fleet a fleet-level number is about; an unset field means "all". */
export type FleetScope = { source?: string | null; brokerNode?: string | null };

/** `AND source = … AND broker_node = …` on a rollup that has those columns (fleet_connected_minute, device_reason_minute). */
export function connectedScopeConditions(scope: FleetScope): Prisma.Sql {
  const sourceFilter = scope.source ? Prisma.sql`AND source = ${scope.source}` : Prisma.empty;
  const nodeFilter = scope.brokerNode != null ? Prisma.sql`AND broker_node = ${scope.brokerNode}` : Prisma.empty;
  return Prisma.sql`${sourceFilter} ${nodeFilter}`;
}

/**
 * The gauge before `boundary` (buckets < boundary) or up to it (buckets <= boundary with `inclusive`), as one
 * scalar SQL expression: the latest hourly snapshot at or before the boundary (fleet_connected_snapshots, the sum
 * of the deltas before its hour) plus the deltas from that hour on, so a read never sums every delta since the
 * beginning (decision 026). Without a snapshot yet it is the plain sum.
 */
export function connectedGaugeSql(boundary: Date, scope: FleetScope, inclusive: boolean): Prisma.Sql {
  const conditions = connectedScopeConditions(scope);
  const upper = inclusive ? Prisma.sql`m.bucket <= ${boundary}` : Prisma.sql`m.bucket < ${boundary}`;
  return Prisma.sql`(
    SELECT COALESCE((SELECT SUM(s.connected) FROM fleet_connected_snapshots s WHERE s.at = snap.at ${conditions}), 0)
         + COALESCE((SELECT SUM(m.delta) FROM fleet_connected_minute m WHERE ${upper} AND m.bucket >= COALESCE(snap.at, '-infinity'::timestamptz) ${conditions}), 0)
    FROM (SELECT MAX(at) AS at FROM fleet_connected_snapshots WHERE at <= ${boundary}) snap)`;
}

/**
 * Devices connected at instant `at`, optionally limited to a source / broker node (where the device connected),
 * from the gauge the writer maintains (fleet_connected_minute): the sum of its deltas up to the minute of `at`,
 * so minute resolution. Shared contract for alerts and incident detection; keep the signature.
 */
export async function countConnectedDevicesAt(db: Db, at: Date, scope: FleetScope = {}): Promise<number> {
  const rows = await queryRows(
    db,
    "countConnectedDevicesAt",
    z.object({ connected: z.number() }),
    Prisma.sql`SELECT ${connectedGaugeSql(at, scope, true)}::int AS connected`,
  );
  return rows[0]?.connected ?? 0;
}
