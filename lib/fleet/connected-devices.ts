import { Prisma, type Db } from "@/lib/db/client.ts";

/** Which part of the fleet a fleet-level number is about; an unset field means "all". */
export type FleetScope = { source?: string | null; brokerNode?: string | null };

/** `AND source = … AND broker_node = …` on a rollup that has those columns (fleet_connected_minute, device_reason_minute). */
export function connectedScopeConditions(scope: FleetScope): Prisma.Sql {
  const sourceFilter = scope.source ? Prisma.sql`AND source = ${scope.source}` : Prisma.empty;
  const nodeFilter = scope.brokerNode != null ? Prisma.sql`AND broker_node = ${scope.brokerNode}` : Prisma.empty;
  return Prisma.sql`${sourceFilter} ${nodeFilter}`;
}

/**
 * Devices connected at instant `at`, optionally limited to a source / broker node (where the device connected),
 * from the gauge the writer maintains (fleet_connected_minute): the sum of its deltas up to the minute of `at`,
 * so minute resolution. Shared contract for alerts and incident detection; keep the signature.
 */
export async function countConnectedDevicesAt(db: Db, at: Date, scope: FleetScope = {}): Promise<number> {
  const rows = await db.$queryRaw<{ connected: number }[]>`
    SELECT COALESCE(SUM(delta), 0)::int AS connected
    FROM fleet_connected_minute
    WHERE bucket <= ${at} ${connectedScopeConditions(scope)}`;
  return rows[0]?.connected ?? 0;
}
