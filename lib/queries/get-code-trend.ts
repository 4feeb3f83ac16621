import { Prisma, type Db } from "@/lib/db/client.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const CodeTrendDaySchema = z.object({ day: SqlDate, disconnects: z.number(), failedConnects: z.number(), other: z.number() });
export type CodeTrendDay = z.infer<typeof CodeTrendDaySchema>;

/** Daily counts of one vendor code over [from, to), from the per-minute rollups (never raw events). */
export async function getCodeTrend(db: Db, input: { code: string; from: Date; to: Date }): Promise<CodeTrendDay[]> {
  return queryRows(
    db,
    "getCodeTrend",
    CodeTrendDaySchema,
    Prisma.sql`
    SELECT date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
           COALESCE(SUM(count) FILTER (WHERE kind = 'disconnected'), 0)::int AS disconnects,
           COALESCE(SUM(count) FILTER (WHERE kind = 'connect_failed'), 0)::int AS "failedConnects",
           COALESCE(SUM(count) FILTER (WHERE kind NOT IN ('disconnected', 'connect_failed')), 0)::int AS other
    FROM event_rollup_minute
    WHERE code = ${input.code} AND bucket >= ${input.from} AND bucket < ${input.to}
    GROUP BY 1
    ORDER BY 1`,
  );
}

/** One slot per UTC day in [from, to), zeros where the code did not occur, so the chart's x-axis is honest. */
export function fillTrendDays(trend: readonly CodeTrendDay[], from: Date, to: Date): CodeTrendDay[] {
  const byDay = new Map(trend.map((day) => [day.day.getTime(), day]));
  const days: CodeTrendDay[] = [];
  for (let t = Math.floor(from.getTime() / DAY_MS) * DAY_MS; t < to.getTime(); t += DAY_MS) {
    days.push(byDay.get(t) ?? { day: new Date(t), disconnects: 0, failedConnects: 0, other: 0 });
  }
  return days;
}
