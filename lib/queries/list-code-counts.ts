import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

/** How often each vendor code occurred across the fleet in [from, to), from the rollups. */
export async function listCodeCounts(db: Db, input: { from: Date; to: Date }): Promise<Map<string, number>> {
  const rows = await queryRows(
    db,
    "listCodeCounts",
    z.object({ code: z.string(), total: z.number() }),
    Prisma.sql`
    SELECT code, SUM(count)::int AS total
    FROM event_rollup_minute
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND code <> ''
    GROUP BY code`,
  );
  return new Map(rows.map((row) => [row.code, row.total]));
}
