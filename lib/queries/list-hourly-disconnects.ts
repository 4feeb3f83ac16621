import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";

export type HourlyReasonCount = { hour: Date; reason: Reason; count: number };

/** Disconnects per UTC hour and reason in [from, to), summed from the per-minute rollups. */
export async function listHourlyDisconnects(db: Db, range: { from: Date; to: Date }): Promise<HourlyReasonCount[]> {
  return db.$queryRaw<HourlyReasonCount[]>`
    SELECT date_trunc('hour', bucket, 'UTC') AS hour, reason::text AS reason, SUM(count)::int AS count
    FROM event_rollup_minute
    WHERE kind = 'disconnected' AND bucket >= ${range.from} AND bucket < ${range.to}
    GROUP BY 1, 2
    ORDER BY 1, 2`;
}
