import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt } from "@/lib/db/sql-values.ts";

const EventCountAfterSchema = z.object({ count: z.number(), maxId: SqlBigInt.nullable() });
export type EventCountAfter = z.infer<typeof EventCountAfterSchema>;

/** How many events have an id above `afterId`, and the highest id: a range over the primary key only. */
export async function countEventsAfter(db: Db, afterId: bigint): Promise<EventCountAfter> {
  const rows = await queryRows(
    db,
    "countEventsAfter",
    EventCountAfterSchema,
    Prisma.sql`
    SELECT COUNT(*)::int AS count, MAX(id) AS "maxId" FROM connection_events WHERE id > ${afterId}`,
  );
  return rows[0] ?? { count: 0, maxId: null };
}
