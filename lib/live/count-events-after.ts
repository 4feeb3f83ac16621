import type { Db } from "@/lib/db/client.ts";

export type EventCountAfter = { count: number; maxId: bigint | null };

/** How many events have an id above `afterId`, and the highest id: a range over the primary key only. */
export async function countEventsAfter(db: Db, afterId: bigint): Promise<EventCountAfter> {
  const rows = await db.$queryRaw<{ count: number; maxId: bigint | null }[]>`
    SELECT COUNT(*)::int AS count, MAX(id) AS "maxId" FROM connection_events WHERE id > ${afterId}`;
  return rows[0] ?? { count: 0, maxId: null };
}
