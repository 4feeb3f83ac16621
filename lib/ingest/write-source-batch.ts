import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import type { DeadLetterInput } from "./dead-letters.ts";
import { recordIngestBatch, type BatchSourceStats, type RecordResult } from "./record-events.ts";

export type SourceBatchResult = { accepted: number; duplicate: number; rejected: number; outOfOrder: number };

/**
 * Writes one batch from one source (webhook body, import chunk, worker batch) and adds it to the source's
 * health counters in the same transaction (decision 037: one commit per batch, counters never apart from the
 * events they count). A batch the database
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
  const stats: BatchSourceStats = {
    source: input.source,
    receivedAt: input.receivedAt ?? null,
    extraRecords: input.records === undefined ? 0 : input.records - input.events.length - input.deadLetters.length,
  };
  const result = await recordIsolatingRefusedEvents(db, input.source, input.events, input.deadLetters, input.samples ?? [], stats);
  return { accepted: result.inserted, duplicate: result.duplicates, rejected: result.deadLetters, outOfOrder: result.outOfOrder };
}

/** `stats.extraRecords` is counted once, by the first part written. */
async function recordIsolatingRefusedEvents(
  db: Db,
  source: string,
  events: ConnectionEvent[],
  deadLetters: DeadLetterInput[],
  samples: DeviceSample[],
  stats: BatchSourceStats,
): Promise<RecordResult> {
  try {
    return await recordIngestBatch(db, { events, deadLetters, samples, sourceStats: stats });
  } catch (error) {
    if (isDatabaseUnavailable(error) || events.length === 0) throw error;
    if (events.length === 1) {
      const [refused] = events as [ConnectionEvent];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [...deadLetters, toRefusedEventDeadLetter(source, refused, error)],
        samples,
        sourceStats: stats,
      });
    }
    // Halves keep each device's events in order: everything in the first half is written before the second.
    const middle = Math.ceil(events.length / 2);
    const first = await recordIsolatingRefusedEvents(db, source, events.slice(0, middle), deadLetters, samples, stats);
    const second = await recordIsolatingRefusedEvents(db, source, events.slice(middle), [], [], { ...stats, extraRecords: 0 });
    return {
      inserted: first.inserted + second.inserted,
      duplicates: first.duplicates + second.duplicates,
      deadLetters: first.deadLetters + second.deadLetters,
      outOfOrder: first.outOfOrder + second.outOfOrder,
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
