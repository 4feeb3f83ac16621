import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const HourlyReasonCountSchema = z.object({ hour: SqlDate, reason: ReasonSchema, count: z.number() });
export type HourlyReasonCount = z.infer<typeof HourlyReasonCountSchema>;

/** Disconnects per UTC hour and reason in [from, to), summed from the per-minute rollups. */
export async function listHourlyDisconnects(db: Db, range: { from: Date; to: Date }): Promise<HourlyReasonCount[]> {
  return queryRows(
    db,
    "listHourlyDisconnects",
    HourlyReasonCountSchema,
    Prisma.sql`
    SELECT date_trunc('hour', bucket, 'UTC') AS hour, reason::text AS reason, SUM(count)::int AS count
    FROM event_rollup_minute
    WHERE kind = 'disconnected' AND bucket >= ${range.from} AND bucket < ${range.to}
    GROUP BY 1, 2
    ORDER BY 1, 2`,
  );
}
