import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { floorToMinute } from "@/lib/time/durations.ts";
import { z } from "zod";
import { rollupShardSql } from "./rollup-shard.ts";
import type { WriterTx } from "./writer-transaction.ts";

export type SourceBatchStats = {
  source: string;
  received: number;
  inserted: number;
  duplicates: number;
  deadLetters: number;
  outOfOrder: number;
  /** received − occurred per event, for live paths only (an import of old logs has no meaningful lag). */
  lagsMs: number[];
  lastOccurredAt: Date | null;
};

/** A device's stored state as far as ordering goes (a DeviceStateRow has it). */
type StoredOrder = { id: string; state_occurred_at: Date | null; state_ordering: bigint | null };

/**
 * Events that arrive after a newer event of the same device: newer by ordering key when both have one, else by
 * time, compared with the device's stored state and with earlier events of the same batch (arrival order).
 * `known` holds states the writer has read already (the devices of its inserted events); only the batch's other
 * devices, whose events were all duplicates, are read here.
 */
export async function countOutOfOrder(tx: WriterTx, events: readonly ConnectionEvent[], known: readonly StoredOrder[]): Promise<number> {
  if (events.length === 0) return 0;
  const latest = new Map(known.map((r) => [r.id, { at: r.state_occurred_at, ordering: r.state_ordering }]));
  const unread = [...new Set(events.map((e) => e.deviceId))].filter((id) => !latest.has(id));
  if (unread.length > 0) {
    const rows = await tx.rows(
      "countOutOfOrder.devices",
      // node-postgres returns bigint columns as text.
      z.object({ id: z.string(), state_occurred_at: z.date().nullable(), state_ordering: z.string().nullable() }),
      Prisma.sql`
      SELECT d.id, d.state_occurred_at, d.state_ordering FROM unnest(${unread}::text[]) AS u(id) JOIN devices d ON d.id = u.id`,
    );
    for (const r of rows)
      latest.set(r.id, { at: r.state_occurred_at, ordering: r.state_ordering === null ? null : BigInt(r.state_ordering) });
  }
  let count = 0;
  for (const event of events) {
    if (event.kind === "device_report") continue;
    const seen = latest.get(event.deviceId);
    const older =
      seen !== undefined &&
      (event.ordering !== null && seen.ordering !== null ? event.ordering < seen.ordering : seen.at !== null && event.occurredAt < seen.at);
    if (older) count += 1;
    else latest.set(event.deviceId, { at: event.occurredAt, ordering: event.ordering ?? seen?.ordering ?? null });
  }
  return count;
}

/** `SET` list of an upsert into ingest_source_minute: the conflicting row's counters plus the new ones. */
export const ADD_TO_SOURCE_MINUTE = Prisma.sql`
  received = ingest_source_minute.received + EXCLUDED.received,
  inserted = ingest_source_minute.inserted + EXCLUDED.inserted,
  duplicates = ingest_source_minute.duplicates + EXCLUDED.duplicates,
  dead_letters = ingest_source_minute.dead_letters + EXCLUDED.dead_letters,
  out_of_order = ingest_source_minute.out_of_order + EXCLUDED.out_of_order,
  lag_samples = ingest_source_minute.lag_samples + EXCLUDED.lag_samples,
  lag_ms_sum = ingest_source_minute.lag_ms_sum + EXCLUDED.lag_ms_sum,
  lag_ms_max = GREATEST(ingest_source_minute.lag_ms_max, EXCLUDED.lag_ms_max),
  last_occurred_at = GREATEST(ingest_source_minute.last_occurred_at, EXCLUDED.last_occurred_at)`;

/** Adds one batch to the per-source minute counters read by the ingest health page (a shard per concurrent writer, decision 034). */
export async function recordSourceStats(db: Db, stats: SourceBatchStats, now = new Date()): Promise<void> {
  await db.$executeRaw(sourceStatsStatement(stats, rollupShardSql, now));
}

/**
 * The upsert of one batch's counters into shard `shard` (a number, or rollupShardSql to claim one). The writer runs it
 * inside the batch's own transaction (decision 037), so counters and the events they count commit together.
 */
export function sourceStatsStatement(stats: SourceBatchStats, shard: number | Prisma.Sql, now = new Date()): Prisma.Sql {
  const bucket = new Date(floorToMinute(now.getTime()));
  const lagSum = stats.lagsMs.reduce((a, b) => a + Math.max(0, b), 0);
  const lagMax = stats.lagsMs.reduce((a, b) => Math.max(a, b), 0);
  return Prisma.sql`
    INSERT INTO ingest_source_minute (bucket, source, received, inserted, duplicates, dead_letters, out_of_order, lag_samples, lag_ms_sum, lag_ms_max, last_occurred_at, shard)
    VALUES (${bucket.toISOString()}::timestamptz, ${stats.source}, ${stats.received}::int, ${stats.inserted}::int, ${stats.duplicates}::int, ${stats.deadLetters}::int,
            ${stats.outOfOrder}::int, ${stats.lagsMs.length}::int, ${Math.round(lagSum)}::bigint, ${Math.round(lagMax)}::bigint,
            ${stats.lastOccurredAt?.toISOString() ?? null}::timestamptz, ${typeof shard === "number" ? Prisma.sql`${shard}::smallint` : shard})
    ON CONFLICT (bucket, source, shard) DO UPDATE SET ${ADD_TO_SOURCE_MINUTE}`;
}
