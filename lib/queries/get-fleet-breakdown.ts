import { Prisma, type Db } from "@/lib/db/client.ts";

export type BreakdownDimension = "reason" | "code";

export type BreakdownItem = {
  /** The reason, or the vendor code; null for events that carried no code. */
  key: string | null;
  disconnects: number;
  failedConnects: number;
  total: number;
};

export type FleetBreakdown = { by: BreakdownDimension; from: Date; to: Date; items: BreakdownItem[] };

type BreakdownRow = { key: string; disconnects: number; failedConnects: number; total: number };

/** Disconnects and failed connects in [from, to) grouped by reason or vendor code, from the rollups. */
export async function getFleetBreakdown(
  db: Db,
  input: { by: BreakdownDimension; from: Date; to: Date },
): Promise<FleetBreakdown> {
  const column = input.by === "reason" ? Prisma.sql`reason::text` : Prisma.sql`code`;
  const rows = await db.$queryRaw<BreakdownRow[]>`
    SELECT ${column} AS key,
           COALESCE(SUM(count) FILTER (WHERE kind = 'disconnected'), 0)::int AS disconnects,
           COALESCE(SUM(count) FILTER (WHERE kind = 'connect_failed'), 0)::int AS "failedConnects",
           SUM(count)::int AS total
    FROM event_rollup_minute
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND kind IN ('disconnected', 'connect_failed')
    GROUP BY 1
    ORDER BY total DESC, key`;
  return {
    by: input.by,
    from: input.from,
    to: input.to,
    // The rollup stores a missing code as '' so it can be part of the primary key.
    items: rows.map((row) => ({ ...row, key: row.key === "" ? null : row.key })),
  };
}
