import { randomUUID } from "node:crypto";
import { AlertChannelType } from "@/generated/prisma/client.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

export type ClaimedDelivery = {
  id: bigint;
  channelId: string | null;
  channelName: string;
  channelType: AlertChannelType;
  notification: unknown;
  attempts: number;
  claimToken: string;
  /** Set when the row was taken over from a claim whose lease ran out (its worker died or hung). */
  abandonedAt: Date | null;
};

const ClaimRowSchema = z.object({
  id: SqlBigInt,
  channel_id: z.string().nullable(),
  channel_name: z.string(),
  channel_type: z.enum(AlertChannelType),
  notification: z.unknown(),
  attempts: z.number(),
  previous_status: z.string(),
  previous_attempt_at: SqlDate.nullable(),
});

/**
 * Marks up to `limit` due rows as delivering under a fresh claim token and a lease ending at `now + leaseMs`. Due: pending
 * or failed rows whose next attempt has come, and delivering rows whose lease ran out. SKIP LOCKED lets several
 * workers claim at once without waiting for or double-claiming each other.
 */
export async function claimDueDeliveries(
  db: Db,
  options: { now: Date; leaseMs: number; limit: number; historyIds?: bigint[] },
): Promise<ClaimedDelivery[]> {
  const claimToken = randomUUID();
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const onlyHistory = options.historyIds?.length ? Prisma.sql`AND history_id IN (${Prisma.join(options.historyIds)})` : Prisma.empty;
  const rows = await queryRows(
    db,
    "claimDueDeliveries",
    ClaimRowSchema,
    Prisma.sql`
    UPDATE alert_deliveries d
    SET status = 'delivering', attempts = d.attempts + 1, claim_token = ${claimToken}, last_attempt_at = ${options.now}, next_attempt_at = ${leaseUntil}
    FROM (
      SELECT id, status::text AS previous_status, last_attempt_at AS previous_attempt_at
      FROM alert_deliveries
      WHERE status IN ('pending', 'failed', 'delivering') AND next_attempt_at <= ${options.now} ${onlyHistory}
      ORDER BY next_attempt_at, id
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE d.id = due.id
    RETURNING d.id, d.channel_id, d.channel_name, d.channel_type, d.notification, d.attempts, due.previous_status, due.previous_attempt_at`,
  );
  return rows.map((row) => ({
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    channelType: row.channel_type,
    notification: row.notification,
    attempts: row.attempts,
    claimToken,
    abandonedAt: row.previous_status === "delivering" ? (row.previous_attempt_at ?? options.now) : null,
  }));
}
