import { Prisma, type Db } from "@/lib/db/client.ts";
import { connectedScopeConditions, type FleetScope } from "@/lib/fleet/connected-devices.ts";
import { excludedRollupConditions, hasMeasurementExclusions, type AlertExclusions } from "./alert-exclusions.ts";

/**
 * Drops (disconnects other than clean client disconnects) in the minute buckets starting in [from, to): fleet-wide
 * from event_rollup_minute, for a source / broker node from device_reason_minute (the source and node the drops
 * came from). Both rollups are kept by the writer from the same events, so they agree.
 */
export async function countDrops(db: Db | Prisma.TransactionClient, input: { from: Date; to: Date; scope: FleetScope; exclusions?: AlertExclusions }): Promise<number> {
  // Exclusions need the per-device rollup; it counts the same events as the fleet-wide one.
  const excluded = hasMeasurementExclusions(input.exclusions) ? excludedRollupConditions(input.exclusions) : null;
  const scoped = input.scope.source || input.scope.brokerNode || excluded ? connectedScopeConditions(input.scope) : null;
  const table = scoped ? Prisma.sql`device_reason_minute` : Prisma.sql`event_rollup_minute`;
  const rows = await db.$queryRaw<{ drops: number }[]>`
    SELECT COALESCE(SUM(count), 0)::int AS drops FROM ${table}
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND kind = 'disconnected' AND reason <> 'client_disconnect' ${scoped ?? Prisma.empty} ${excluded ?? Prisma.empty}`;
  return rows[0]?.drops ?? 0;
}
