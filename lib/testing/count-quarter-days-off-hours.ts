import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

/**
 * Rows of a quarter-day rollup that differ from its hour rollup summed per quarter day, either way (decision 046):
 * 0 when the triggers kept them exact. Rows of count 0 are left out (subtracting leaves them behind in both).
 */
export async function countQuarterDaysOffHours(
  db: Db,
  tables: {
    hours: "event_rollup_hour" | "fleet_reason_hour";
    quarterDays: "event_rollup_quarter_day" | "fleet_reason_quarter_day";
    keys: readonly string[];
  },
): Promise<number> {
  const keys = Prisma.raw(tables.keys.join(", "));
  const hours = Prisma.raw(tables.hours);
  const quarterDays = Prisma.raw(tables.quarterDays);
  const summed = Prisma.sql`SELECT date_bin('6 hours', bucket, 'epoch') AS bucket, ${keys}, SUM(count)::int AS count FROM ${hours}
    GROUP BY ${Prisma.raw(tables.keys.map((_, i) => String(i + 2)).join(", "))}, 1 HAVING SUM(count) <> 0`;
  const kept = Prisma.sql`SELECT bucket, ${keys}, count FROM ${quarterDays} WHERE count <> 0`;
  const [row] = await queryRows(
    db,
    "countQuarterDaysOffHours",
    z.object({ n: z.number() }),
    Prisma.sql`SELECT COUNT(*)::int AS n FROM ((${summed} EXCEPT ${kept}) UNION ALL (${kept} EXCEPT ${summed})) x`,
  );
  return row?.n ?? -1;
}
