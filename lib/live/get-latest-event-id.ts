import type { Db } from "@/lib/db/client.ts";

/** The highest event id (a backward step on the primary key index), or null for an empty table. */
export async function getLatestEventId(db: Db): Promise<bigint | null> {
  const rows = await db.$queryRaw<{ maxId: bigint | null }[]>`SELECT MAX(id) AS "maxId" FROM connection_events`;
  return rows[0]?.maxId ?? null;
}
