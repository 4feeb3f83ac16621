import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

const EventStampSchema = z.object({ id: SqlBigInt, deviceId: z.string(), receivedAt: SqlDate });
export type EventStamp = z.infer<typeof EventStampSchema>;

/** Events with an id above `afterId`, oldest first, at most `limit`: only what the live stream needs. */
export async function listEventsAfter(db: Db, input: { afterId: bigint; limit: number }): Promise<EventStamp[]> {
  return queryRows(
    db,
    "listEventsAfter",
    EventStampSchema,
    Prisma.sql`
    SELECT id, device_id AS "deviceId", received_at AS "receivedAt"
    FROM connection_events
    WHERE id > ${input.afterId}
    ORDER BY id
    LIMIT ${input.limit}`,
  );
}
