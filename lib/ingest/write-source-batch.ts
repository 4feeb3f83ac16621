import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeadLetterInput } from "./dead-letters.ts";
import { recordIngestBatch } from "./record-events.ts";
import { countOutOfOrder, recordSourceStats } from "./source-stats.ts";

export type SourceBatchResult = { accepted: number; duplicate: number; rejected: number; outOfOrder: number };

/**
 * Writes one batch from one source (webhook body, import chunk, worker batch) and adds it to the source's
 * health counters. Stats are best-effort after the commit: they never fail an ingest.
 */
export async function writeSourceBatch(
  db: Db,
  input: { source: string; events: ConnectionEvent[]; deadLetters: DeadLetterInput[]; receivedAt?: Date | null; records?: number },
): Promise<SourceBatchResult> {
  const outOfOrder = await countOutOfOrder(db, input.events).catch(() => 0);
  const result = await recordIngestBatch(db, { events: input.events, deadLetters: input.deadLetters });
  const receivedAt = input.receivedAt ?? null;
  const lastOccurredAt = input.events.reduce<Date | null>((a, e) => (a === null || e.occurredAt > a ? e.occurredAt : a), null);
  await recordSourceStats(db, {
    source: input.source,
    received: input.records ?? input.events.length + input.deadLetters.length,
    inserted: result.inserted,
    duplicates: result.duplicates,
    deadLetters: result.deadLetters,
    outOfOrder,
    lagsMs: receivedAt ? input.events.map((e) => receivedAt.getTime() - e.occurredAt.getTime()) : [],
    lastOccurredAt,
  }).catch(() => undefined);
  return { accepted: result.inserted, duplicate: result.duplicates, rejected: result.deadLetters, outOfOrder };
}
