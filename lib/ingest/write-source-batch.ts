import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "./database-unavailable.ts";
import type { DeadLetterInput } from "./dead-letters.ts";
import { recordIngestBatch, type RecordResult } from "./record-events.ts";
import { countOutOfOrder, recordSourceStats } from "./source-stats.ts";

const log = createLogger("ingest");

export type SourceBatchResult = { accepted: number; duplicate: number; rejected: number; outOfOrder: number };

/**
 * Writes one batch from one source (webhook body, import chunk, worker batch) and adds it to the source's
 * health counters. Stats are best-effort after the commit: they never fail an ingest. A batch the database
 * refuses for a reason other than being unavailable is split until the refused events are found; they become
 * dead letters with the reason and the rest is written, so one bad record never stops a source.
 */
export async function writeSourceBatch(
  db: Db,
  input: {
    source: string;
    events: ConnectionEvent[];
    deadLetters: DeadLetterInput[];
    samples?: DeviceSample[];
    receivedAt?: Date | null;
    records?: number;
  },
): Promise<SourceBatchResult> {
  const outOfOrder = await countOutOfOrder(db, input.events).catch((error: unknown) => {
    // An unreachable database fails the write right after and is logged there, with the retry.
    if (!isDatabaseUnavailable(error))
      log.warn(
        { source: input.source, err: error instanceof Error ? error.message : String(error) },
        "out-of-order count failed; stats only",
      );
    return 0;
  });
  const result = await recordIsolatingRefusedEvents(db, input.source, input.events, input.deadLetters, input.samples ?? []);
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
  }).catch((error: unknown) => {
    if (!isDatabaseUnavailable(error))
      log.warn(
        { source: input.source, err: error instanceof Error ? error.message : String(error) },
        "source stats write failed; stats only",
      );
  });
  return { accepted: result.inserted, duplicate: result.duplicates, rejected: result.deadLetters, outOfOrder };
}

async function recordIsolatingRefusedEvents(
  db: Db,
  source: string,
  events: ConnectionEvent[],
  deadLetters: DeadLetterInput[],
  samples: DeviceSample[] = [],
): Promise<RecordResult> {
  try {
    return await recordIngestBatch(db, { events, deadLetters, samples });
  } catch (error) {
    if (isDatabaseUnavailable(error) || events.length === 0) throw error;
    if (events.length === 1) {
      const [refused] = events as [ConnectionEvent];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [...deadLetters, toRefusedEventDeadLetter(source, refused, error)],
        samples,
      });
    }
    // Halves keep each device's events in order: everything in the first half is written before the second.
    const middle = Math.ceil(events.length / 2);
    const first = await recordIsolatingRefusedEvents(db, source, events.slice(0, middle), deadLetters, samples);
    const second = await recordIsolatingRefusedEvents(db, source, events.slice(middle), []);
    return {
      inserted: first.inserted + second.inserted,
      duplicates: first.duplicates + second.duplicates,
      deadLetters: first.deadLetters + second.deadLetters,
    };
  }
}

function toRefusedEventDeadLetter(source: string, event: ConnectionEvent, error: unknown): DeadLetterInput {
  const reason = readDatabaseErrorLine(error);
  return {
    source,
    topic: `refused-event:${event.deviceId}`.slice(0, 300),
    error: `the database refused this event: ${reason}`,
    payload: serializeForDeadLetter(event),
  };
}

/** The event's original payload when it can be serialized, else the event's own fields as text. */
function serializeForDeadLetter(event: ConnectionEvent): string {
  for (const candidate of [event.raw, { ...event, raw: undefined }]) {
    try {
      const text = JSON.stringify(candidate);
      if (text !== undefined) return text;
    } catch {
      // A value too deep or cyclic to serialize: try the next shape.
    }
  }
  return `${event.deviceId} ${event.kind} ${event.occurredAt.toISOString()}`;
}
