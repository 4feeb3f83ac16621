import type { Db } from "@/lib/db/client.ts";

export type EventStamp = { id: bigint; deviceId: string; receivedAt: Date };

/** Events with an id above `afterId`, oldest first, at most `limit`: only what the live stream needs. */
export async function listEventsAfter(db: Db, input: { afterId: bigint; limit: number }): Promise<EventStamp[]> {
  return db.$queryRaw<EventStamp[]>`
    SELECT id, device_id AS "deviceId", received_at AS "receivedAt"
    FROM connection_events
    WHERE id > ${input.afterId}
    ORDER BY id
    LIMIT ${input.limit}`;
}
