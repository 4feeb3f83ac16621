import type { Db } from "@/lib/db/client.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { finishEvents } from "@/lib/sources/adapter-kit.ts";
import type { DeadLetterInput, RecordOrigin } from "./dead-letters.ts";
import { toDeviceUploadTopic } from "./dead-letter-topics.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";
import { describeUpload, type UploadCounts } from "./describe-upload.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

/**
 * One record of a file uploaded for a device: where it is in the file, what it held, what it was read as, and the
 * reader that reads `payload` again (`formatUploadReader`; re-processing its dead letter).
 */
export type UploadRecord = { where: string; payload: string; reader: string; result: AdapterResult };

/** The counts and a sentence for people (`message`). */
export type UploadOutcome = UploadCounts & { message: string };

const MAX_REPORTED_ERRORS = 20;

/**
 * Writes the good records of one upload and keeps every bad one as a dead letter with its reason, as webhooks and
 * imports do (decision 072): one bad record never costs the file's others. A record the database refuses is found by
 * the writer's split (`refused:device-upload:…`); events checked against the storage contract and the ten-year bound
 * first (`checkUploadRecord`).
 */
export async function writeUploadRecords(
  db: Db,
  input: { source: string; deviceId: string; records: UploadRecord[]; receivedAt?: Date },
): Promise<UploadOutcome> {
  const receivedAt = input.receivedAt ?? new Date();
  const events: ConnectionEvent[] = [];
  const deadLetters: DeadLetterInput[] = [];
  const origins = new Map<ConnectionEvent, RecordOrigin>();
  const errors: UploadCounts["errors"] = [];
  for (const record of input.records) {
    const result = checkUploadRecord(record, receivedAt);
    const topic = toDeviceUploadTopic(record.reader, input.deviceId);
    if (result.ok) {
      events.push(...result.events);
      // The payload is read only if the database refuses the event (an agent export entry's is built when read).
      const origin = {
        topic,
        get payload() {
          return record.payload;
        },
      };
      for (const event of result.events) origins.set(event, origin);
      continue;
    }
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ where: record.where, error: result.error });
    deadLetters.push({
      source: input.source,
      topic,
      error: `${record.where}: ${result.error} (device ${input.deviceId})`,
      payload: record.payload,
    });
  }
  const written = await writeSourceBatch(db, {
    source: input.source,
    events,
    deadLetters,
    origins,
    // Like an import: a file's events are history, not live traffic whose lag the source's health would show.
    receivedAt: null,
    records: input.records.length,
  });
  const counts = { events: events.length, accepted: written.accepted, duplicate: written.duplicate, rejected: written.rejected, errors };
  return { ...counts, message: describeUpload(counts) };
}

/** The record's events as the upload stores them, or why they cannot be: the storage contract and the ten-year bound. */
export function checkUploadRecord(record: UploadRecord, receivedAt: Date): AdapterResult {
  const checked = record.result.ok ? finishEvents(record.result.events) : record.result;
  return refuseEventsFromTheFuture(checked, receivedAt.getTime());
}
