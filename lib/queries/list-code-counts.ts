import type { Db } from "@/lib/db/client.ts";

/** How often each vendor code occurred across the fleet in [from, to), from the rollups. */
export async function listCodeCounts(db: Db, input: { from: Date; to: Date }): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ code: string; total: number }[]>`
    SELECT code, SUM(count)::int AS total
    FROM event_rollup_minute
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND code <> ''
    GROUP BY code`;
  return new Map(rows.map((row) => [row.code, row.total]));
}
