import { Prisma, type Db } from "@/lib/db/client.ts";

/** Which part of the fleet a fleet-level number is about; an unset field means "all". */
export type FleetScope = { source?: string | null; brokerNode?: string | null };

/**
 * Devices connected at instant `at` (distinct devices with a session covering it), optionally limited to a
 * source / broker node (the device's current ones). Shared contract for alerts and incident detection;
 * the fleet-views work replaces the body with the ingest-time connected gauge, keeping the signature.
 */
export async function countConnectedDevicesAt(db: Db, at: Date, scope: FleetScope = {}): Promise<number> {
  const sourceFilter = scope.source ? Prisma.sql`AND d.source = ${scope.source}` : Prisma.empty;
  const nodeFilter = scope.brokerNode ? Prisma.sql`AND d.broker_node = ${scope.brokerNode}` : Prisma.empty;
  const rows = await db.$queryRaw<{ connected: number }[]>`
    SELECT COUNT(DISTINCT s.device_id)::int AS connected
    FROM sessions s
    JOIN devices d ON d.id = s.device_id
    WHERE s.started_at <= ${at} AND (s.ended_at IS NULL OR s.ended_at > ${at})
      ${sourceFilter} ${nodeFilter}`;
  return rows[0]?.connected ?? 0;
}
