import { Prisma, type Db } from "@/lib/db/client.ts";
import { REASONS } from "@/lib/events/connection-event.ts";
import { connectedScopeConditions, type FleetScope } from "@/lib/fleet/connected-devices.ts";
import { excludedRollupConditions, hasMeasurementExclusions, type AlertExclusions } from "./alert-exclusions.ts";

/**
 * Disconnects and refused connects with a vendor code (`emqx:keepalive_timeout`) or a canonical reason in the minute
 * buckets starting in [from, to): fleet-wide from event_rollup_minute, for a source / broker node from
 * device_reason_minute (the source and node the events came from).
 */
export async function countCodeEvents(db: Db | Prisma.TransactionClient, input: { from: Date; to: Date; code: string; scope: FleetScope; exclusions?: AlertExclusions }): Promise<number> {
  const isReason = (REASONS as readonly string[]).includes(input.code);
  const match = isReason ? Prisma.sql`reason = ${input.code}::"Reason"` : Prisma.sql`code = ${input.code}`;
  // Exclusions need the per-device rollup; it counts the same events as the fleet-wide one.
  const excluded = hasMeasurementExclusions(input.exclusions) ? excludedRollupConditions(input.exclusions) : null;
  const scoped = input.scope.source || input.scope.brokerNode || excluded ? connectedScopeConditions(input.scope) : null;
  const table = scoped ? Prisma.sql`device_reason_minute` : Prisma.sql`event_rollup_minute`;
  const rows = await db.$queryRaw<{ events: number }[]>`
    SELECT COALESCE(SUM(count), 0)::int AS events FROM ${table}
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND kind IN ('disconnected', 'connect_failed') AND ${match} ${scoped ?? Prisma.empty} ${excluded ?? Prisma.empty}`;
  return rows[0]?.events ?? 0;
}
