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
 * dead letters with the reason and the rest is written, so one bad record never stops a source. Device samples are
 * taken apart the same way.
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
    if (isDatabaseUnavailable(error)) throw error;
    if (samples.length > 0 && events.length > 0) {
      // Samples are taken apart from the events first, so a refused sample never costs an event.
      const written = await recordIsolatingRefusedEvents(db, source, events, deadLetters, [], stats);
      const sampled = await recordIsolatingRefusedEvents(db, source, [], [], samples, { ...stats, extraRecords: 0 });
      return addResults(written, sampled);
    }
    if (samples.length === 1) {
      const [refused] = samples as [DeviceSample];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [...deadLetters, toRefusedSampleDeadLetter(source, refused, error)],
        sourceStats: stats,
      });
    }
    if (samples.length > 1) {
      const middle = Math.ceil(samples.length / 2);
      const first = await recordIsolatingRefusedEvents(db, source, [], deadLetters, samples.slice(0, middle), stats);
      const second = await recordIsolatingRefusedEvents(db, source, [], [], samples.slice(middle), { ...stats, extraRecords: 0 });
      return addResults(first, second);
    }
    // Dead letters alone are shaped to be storable (toDeadLetterRow): what refuses them is not one record.
    if (events.length === 0) throw error;
    if (events.length === 1) {
      const [refused] = events as [ConnectionEvent];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [...deadLetters, toRefusedEventDeadLetter(source, refused, error)],
        sourceStats: stats,
      });
    }
    // Halves keep each device's events in order: everything in the first half is written before the second.
    const middle = Math.ceil(events.length / 2);
    const first = await recordIsolatingRefusedEvents(db, source, events.slice(0, middle), deadLetters, [], stats);
    const second = await recordIsolatingRefusedEvents(db, source, events.slice(middle), [], [], { ...stats, extraRecords: 0 });
    return addResults(first, second);
  }
}

function addResults(a: RecordResult, b: RecordResult): RecordResult {
  return {
    inserted: a.inserted + b.inserted,
    duplicates: a.duplicates + b.duplicates,
    deadLetters: a.deadLetters + b.deadLetters,
    outOfOrder: a.outOfOrder + b.outOfOrder,
  };
}

function toRefusedSampleDeadLetter(source: string, sample: DeviceSample, error: unknown): DeadLetterInput {
  return {
    source,
    topic: `refused-sample:${sample.deviceId}`.slice(0, 300),
    error: `the database refused this device sample: ${readDatabaseErrorLine(error)}`,
    payload: JSON.stringify({ ...sample, at: Number.isNaN(sample.at.getTime()) ? null : sample.at.toISOString() }),
  };
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
