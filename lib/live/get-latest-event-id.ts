import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt } from "@/lib/db/sql-values.ts";

/** The highest event id (a backward step on the primary key index), or null for an empty table. */
export async function getLatestEventId(db: Db): Promise<bigint | null> {
  const rows = await queryRows(
    db,
    "getLatestEventId",
    z.object({ maxId: SqlBigInt.nullable() }),
    Prisma.sql`SELECT MAX(id) AS "maxId" FROM connection_events`,
  );
  return rows[0]?.maxId ?? null;
}
