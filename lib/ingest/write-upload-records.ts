import type { Db } from "@/lib/db/client.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { finishEvents } from "@/lib/sources/adapter-kit.ts";
import type { DeadLetterInput } from "./dead-letters.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";
import { describeUpload, type UploadCounts } from "./describe-upload.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

/** One record of a file uploaded for a device: where it is in the file, what it held, and what it was read as. */
export type UploadRecord = { where: string; payload: string; result: AdapterResult };

/** The counts and a sentence for people (`message`). */
export type UploadOutcome = UploadCounts & { message: string };

const MAX_REPORTED_ERRORS = 20;

/**
 * Writes the good records of one upload and keeps every bad one as a dead letter with its reason, as webhooks and
 * imports do (decision 072): one bad record never costs the file's others. A record the database refuses is found by
 * the writer's split (`refused-event:`); events checked against the storage contract and the ten-year bound first.
 */
export async function writeUploadRecords(
  db: Db,
  input: { source: string; deviceId: string; records: UploadRecord[]; receivedAt?: Date },
): Promise<UploadOutcome> {
  const receivedAt = input.receivedAt ?? new Date();
  const events: ConnectionEvent[] = [];
  const deadLetters: DeadLetterInput[] = [];
  const errors: UploadCounts["errors"] = [];
  for (const record of input.records) {
    const checked = record.result.ok ? finishEvents(record.result.events) : record.result;
    const result = refuseEventsFromTheFuture(checked, receivedAt.getTime());
    if (result.ok) {
      events.push(...result.events);
      continue;
    }
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ where: record.where, error: result.error });
    deadLetters.push({
      source: input.source,
      topic: `upload:${input.deviceId}`.slice(0, 300),
      error: `${record.where}: ${result.error} (device ${input.deviceId})`,
      payload: record.payload,
    });
  }
  const written = await writeSourceBatch(db, {
    source: input.source,
    events,
    deadLetters,
    // Like an import: a file's events are history, not live traffic whose lag the source's health would show.
    receivedAt: null,
    records: input.records.length,
  });
  const counts = { events: events.length, accepted: written.accepted, duplicate: written.duplicate, rejected: written.rejected, errors };
  return { ...counts, message: describeUpload(counts) };
}
