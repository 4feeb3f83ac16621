import { Prisma, type Db } from "@/lib/db/client.ts";
import type { FleetScope } from "@/lib/fleet/connected-devices.ts";

/**
 * Drops (disconnects other than clean client disconnects) in the minute buckets starting in [from, to). Fleet-wide from
 * event_rollup_minute; for a source / broker node scope from device_drop_minute joined to the devices' current scope
 * (the rollup has no scope columns). Both count the same drops.
 */
export async function countDrops(db: Db | Prisma.TransactionClient, input: { from: Date; to: Date; scope: FleetScope }): Promise<number> {
  const { from, to, scope } = input;
  if (!scope.source && !scope.brokerNode) {
    const rows = await db.$queryRaw<{ drops: number }[]>`
      SELECT COALESCE(SUM(count), 0)::int AS drops FROM event_rollup_minute
      WHERE bucket >= ${from} AND bucket < ${to} AND kind = 'disconnected' AND reason <> 'client_disconnect'`;
    return rows[0]?.drops ?? 0;
  }
  const sourceFilter = scope.source ? Prisma.sql`AND d.source = ${scope.source}` : Prisma.empty;
  const nodeFilter = scope.brokerNode ? Prisma.sql`AND d.broker_node = ${scope.brokerNode}` : Prisma.empty;
  const rows = await db.$queryRaw<{ drops: number }[]>`
    SELECT COALESCE(SUM(m.drops), 0)::int AS drops FROM device_drop_minute m
    JOIN devices d ON d.id = m.device_id
    WHERE m.bucket >= ${from} AND m.bucket < ${to} ${sourceFilter} ${nodeFilter}`;
  return rows[0]?.drops ?? 0;
}
