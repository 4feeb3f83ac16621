import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { refuseSampleTime, serializeDeviceSample, type DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import type { DeadLetterInput, RecordOrigin } from "./dead-letters.ts";
import { toRefusedSampleTopic, toRefusedTopic } from "./dead-letter-topics.ts";
import { recordIngestBatch, type BatchSourceStats, type RecordResult } from "./record-events.ts";

export type SourceBatchResult = { accepted: number; duplicate: number; rejected: number; outOfOrder: number };

/**
 * Writes one batch from one source (webhook body, import chunk, worker batch) and adds it to the source's
 * health counters in the same transaction (decision 037: one commit per batch, counters never apart from the
 * events they count). A batch the database
 * refuses for a reason other than being unavailable is split until the refused events are found; they become
 * dead letters with the reason and the rest is written, so one bad record never stops a source. Device samples are
 * taken apart the same way. `origins` names the record each event was read from: a refused event's dead letter is that
 * record, so re-processing reads it again with the parser that read it.
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
    origins?: ReadonlyMap<ConnectionEvent, RecordOrigin>;
    /** The file import the batch is part of: the dead letters of records the database refuses belong to it too. */
    importRunId?: bigint;
  },
): Promise<SourceBatchResult> {
  const stats: BatchSourceStats = {
    source: input.source,
    receivedAt: input.receivedAt ?? null,
    extraRecords: input.records === undefined ? 0 : input.records - input.events.length - input.deadLetters.length,
  };
  const refusal: Refusal = {
    source: input.source,
    origins: input.origins ?? new Map<ConnectionEvent, RecordOrigin>(),
    importRunId: input.importRunId,
  };
  const receivedAtMs = (input.receivedAt ?? new Date()).getTime();
  const samples: DeviceSample[] = [];
  const deadLetters = [...input.deadLetters];
  for (const sample of input.samples ?? []) {
    const refused = refuseSampleTime(sample, receivedAtMs);
    if (refused === null) samples.push(sample);
    else deadLetters.push({ ...toRefusedSampleDeadLetter(input.source, sample, refused), importRunId: input.importRunId });
  }
  const result = await recordIsolatingRefusedEvents(db, refusal, input.events, deadLetters, samples, stats);
  return { accepted: result.inserted, duplicate: result.duplicates, rejected: result.deadLetters, outOfOrder: result.outOfOrder };
}

type Refusal = { source: string; origins: ReadonlyMap<ConnectionEvent, RecordOrigin>; importRunId?: bigint };

/** `stats.extraRecords` is counted once, by the first part written. */
async function recordIsolatingRefusedEvents(
  db: Db,
  refusal: Refusal,
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
      const written = await recordIsolatingRefusedEvents(db, refusal, events, deadLetters, [], stats);
      const sampled = await recordIsolatingRefusedEvents(db, refusal, [], [], samples, { ...stats, extraRecords: 0 });
      return addResults(written, sampled);
    }
    if (samples.length === 1) {
      const [refused] = samples as [DeviceSample];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [
          ...deadLetters,
          {
            ...toRefusedSampleDeadLetter(
              refusal.source,
              refused,
              `the database refused this device sample: ${readDatabaseErrorLine(error)}`,
            ),
            importRunId: refusal.importRunId,
          },
        ],
        sourceStats: stats,
      });
    }
    if (samples.length > 1) {
      const middle = Math.ceil(samples.length / 2);
      const first = await recordIsolatingRefusedEvents(db, refusal, [], deadLetters, samples.slice(0, middle), stats);
      const second = await recordIsolatingRefusedEvents(db, refusal, [], [], samples.slice(middle), { ...stats, extraRecords: 0 });
      return addResults(first, second);
    }
    // Dead letters alone are shaped to be storable (toDeadLetterRow): what refuses them is not one record.
    if (events.length === 0) throw error;
    if (events.length === 1) {
      const [refused] = events as [ConnectionEvent];
      return recordIngestBatch(db, {
        events: [],
        deadLetters: [...deadLetters, toRefusedEventDeadLetter(refusal, refused, error)],
        sourceStats: stats,
      });
    }
    // Halves keep each device's events in order: everything in the first half is written before the second.
    const middle = Math.ceil(events.length / 2);
    const first = await recordIsolatingRefusedEvents(db, refusal, events.slice(0, middle), deadLetters, [], stats);
    const second = await recordIsolatingRefusedEvents(db, refusal, events.slice(middle), [], [], { ...stats, extraRecords: 0 });
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

/** A sample kept as a dead letter with why it was not stored; re-processing reads it back (`refused-sample:`). */
export function toRefusedSampleDeadLetter(source: string, sample: DeviceSample, reason: string): DeadLetterInput {
  return { source, topic: toRefusedSampleTopic(sample.deviceId), error: reason, payload: serializeDeviceSample(sample) };
}

function toRefusedEventDeadLetter(refusal: Refusal, event: ConnectionEvent, error: unknown): DeadLetterInput {
  const reason = `the database refused this event: ${readDatabaseErrorLine(error)} (device ${event.deviceId})`;
  const origin = refusal.origins.get(event);
  const topic = origin ? toRefusedTopic(origin.topic) : null;
  const run = { importRunId: refusal.importRunId };
  if (origin && topic) return { source: refusal.source, topic, error: reason, payload: origin.payload, ...run };
  // The record it was read from is unknown: the event itself is kept for people; re-processing says it cannot read it.
  return {
    source: refusal.source,
    topic: `refused-event:${event.deviceId}`,
    error: reason,
    payload: serializeForDeadLetter(event),
    ...run,
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
