import { Prisma, type Db } from "@/lib/db/client.ts";
import { REASONS } from "@/lib/events/connection-event.ts";

/** Disconnects and refused connects with a vendor code (`emqx:keepalive_timeout`) or a canonical reason, from the minute rollups in [from, to). */
export async function countCodeEvents(db: Db | Prisma.TransactionClient, input: { from: Date; to: Date; code: string }): Promise<number> {
  const isReason = (REASONS as readonly string[]).includes(input.code);
  const match = isReason ? Prisma.sql`reason = ${input.code}::"Reason"` : Prisma.sql`code = ${input.code}`;
  const rows = await db.$queryRaw<{ events: number }[]>`
    SELECT COALESCE(SUM(count), 0)::int AS events FROM event_rollup_minute
    WHERE bucket >= ${input.from} AND bucket < ${input.to} AND kind IN ('disconnected', 'connect_failed') AND ${match}`;
  return rows[0]?.events ?? 0;
}
