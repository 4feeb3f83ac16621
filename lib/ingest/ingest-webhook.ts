import type { Db } from "@/lib/db/client.ts";
import { gunzipSync } from "node:zlib";
import { InvalidInputError, TooLargeError, UnsupportedContentError } from "@/lib/errors/domain-errors.ts";
import { isRecord, parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { isEventGridValidation } from "@/lib/sources/azure.ts";
import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import { MAX_WEBHOOK_BYTES } from "./body-limits.ts";
import { createInflationBudget, findInflationOverrun } from "./log-subscription.ts";
import { createRecordProcessor } from "./record-processor.ts";
import type { SplitRecord } from "./json-record-splitter.ts";
import { iterateRecords, readsRecords, trimLogLine } from "./record-reader.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

const MAX_REPORTED_ERRORS = 20;
/** Records written per transaction, as an import writes them. */
const WEBHOOK_BATCH_RECORDS = 2000;

export type WebhookOutcome =
  | { kind: "validation"; validationResponse: string }
  | {
      kind: "ingested";
      accepted: number;
      duplicate: number;
      rejected: number;
      /** Log lines read without error that hold no lifecycle event (other broker log lines). */
      skipped: number;
      errors: { index: number; error: string }[];
      /** Set when nothing was stored or refused: says what the body held instead. */
      message?: string;
    };

/**
 * Ingests one webhook body of `format`: a JSON value, array, records wrapper or NDJSON (log formats: text lines).
 * An Azure Event Grid subscription-validation event is answered instead of ingested. A body with no readable
 * record at all is a 400 (and kept as a dead letter); individual bad records are counted as rejected.
 */
export async function ingestWebhookBody(
  db: Db,
  format: RecordFormat,
  sent: Buffer,
  options: { contentEncoding?: string | null; receivedAt?: Date } = {},
): Promise<WebhookOutcome> {
  const topic = `webhook:${format.name}`;
  const receivedAt = options.receivedAt ?? new Date();
  const body = await decodeOrKeep(db, format, topic, sent, options.contentEncoding ?? null);
  const text = decodeBody(body);
  if (text === null) {
    await writeSourceBatch(db, {
      source: format.source,
      events: [],
      deadLetters: [{ source: format.source, topic, error: "body is not valid UTF-8", payload: body }],
    });
    throw new InvalidInputError("invalid_encoding", "The request body is not valid UTF-8; it was kept as a dead letter.");
  }
  if (text.trim() === "")
    throw new InvalidInputError("empty_body", "The request body is empty; send a JSON event, an array of events, or log lines.");
  const processor = createRecordProcessor(format, topic, { receivedAt });
  const totals = { accepted: 0, duplicate: 0, rejected: 0 };
  let recordsWritten = 0;
  // Written as an import is, a batch at a time: a body of a million tiny rejected records held them all, their dead
  // letters and one statement for them in memory at once (gigabytes for 5 MiB).
  const flush = async (final: boolean) => {
    if (!final && processor.pendingCount() < WEBHOOK_BATCH_RECORDS) return;
    const { events, deadLetters, origins } = processor.drain();
    const records = processor.counts().records;
    if (!final && events.length === 0 && deadLetters.length === 0) return;
    const result = await writeSourceBatch(db, {
      source: format.source,
      events,
      deadLetters,
      origins,
      receivedAt,
      records: records - recordsWritten,
    });
    recordsWritten = records;
    totals.accepted += result.accepted;
    totals.duplicate += result.duplicate;
    totals.rejected += result.rejected;
  };

  if (readsRecords(format, text)) {
    const survey = surveyRecords(format, text);
    const validation = findValidationCode(survey.count === 1 && survey.first?.ok ? survey.first.text : null);
    if (validation) return { kind: "validation", validationResponse: validation };
    // An empty batch (`[]`, `{ "records": [] }`) is a delivery with nothing in it, not a malformed body.
    const emptyBatch = survey.count === 0 && parseUntrustedJson(text, { maxBytes: MAX_WEBHOOK_BYTES }).ok;
    if (!emptyBatch && !survey.anyReadable) {
      const reason = survey.firstError ?? "no JSON value found";
      await writeSourceBatch(db, {
        source: format.source,
        events: [],
        deadLetters: [{ source: format.source, topic, error: `malformed body: ${reason}`, payload: body }],
      });
      throw new InvalidInputError("malformed_body", `The body holds no record this endpoint can read: ${reason}.`);
    }
    for (const record of iterateRecords(format, text)) {
      processor.pushJson(record);
      await flush(false);
    }
  } else {
    for (let start = 0; start <= text.length;) {
      const end = text.indexOf("\n", start);
      processor.pushLine(trimLogLine(text.slice(start, end === -1 ? text.length : end)));
      await flush(false);
      if (end === -1) break;
      start = end + 1;
    }
  }

  await flush(true);
  const { skipped } = processor.counts();
  const nothingRead = totals.accepted + totals.duplicate + totals.rejected === 0 && skipped > 0;
  return {
    kind: "ingested",
    ...totals,
    skipped,
    errors: processor.firstRejections().slice(0, MAX_REPORTED_ERRORS),
    ...(nothingRead ? { message: describeSkippedLines(format, skipped) } : {}),
  };
}

/** Skipping a broker's other log lines is by design; a body of nothing else is most likely the wrong file or source. */
function describeSkippedLines(format: RecordFormat, skipped: number): string {
  return (
    `None of the ${skipped} line${skipped === 1 ? "" : "s"} is a ${format.title} connect or disconnect line, so nothing was stored. ` +
    `Lines that are not lifecycle lines are skipped by design; check that this is the broker's log and that ${format.name} is its format.`
  );
}

/**
 * How many records a body holds and whether any is readable, without holding them. A body whose CloudWatch Logs data
 * inflates past the body limit is refused here, before any of it is stored.
 */
function surveyRecords(format: RecordFormat, text: string) {
  let count = 0;
  let anyReadable = false;
  let first: SplitRecord | null = null;
  let firstError: string | null = null;
  const inflation = createInflationBudget(MAX_WEBHOOK_BYTES);
  for (const record of iterateRecords(format, text)) {
    count += 1;
    first ??= record;
    if (record.ok) anyReadable = true;
    else firstError ??= record.error;
    const overrun = record.ok ? findInflationOverrun(record.text, inflation) : null;
    if (overrun) throw new TooLargeError("body_too_large", `The body is refused: ${overrun}.`);
  }
  return { count, anyReadable, first, firstError };
}

/**
 * The body as sent before its `Content-Encoding` (log shippers such as Vector compress with gzip), bounded like an
 * uncompressed body.
 */
export function decodeContentEncoding(body: Buffer, contentEncoding: string | null): Buffer {
  const encoding = (contentEncoding ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return body;
  if (encoding !== "gzip" && encoding !== "x-gzip")
    throw new UnsupportedContentError(
      "unsupported_content_encoding",
      `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send the body uncompressed or with gzip.`,
    );
  try {
    return gunzipSync(body, { maxOutputLength: MAX_WEBHOOK_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new TooLargeError("body_too_large", `The inflated body exceeds ${MAX_WEBHOOK_BYTES} bytes; split the batch or use the import.`);
    throw new InvalidInputError(
      "invalid_encoding",
      `The body is marked Content-Encoding gzip but does not inflate: ${(error as Error).message}.`,
    );
  }
}

/** The decoded body; one that does not inflate is kept, as sent, as a dead letter before the 400. */
async function decodeOrKeep(db: Db, format: RecordFormat, topic: string, sent: Buffer, contentEncoding: string | null): Promise<Buffer> {
  try {
    return decodeContentEncoding(sent, contentEncoding);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      await writeSourceBatch(db, {
        source: format.source,
        events: [],
        deadLetters: [{ source: format.source, topic, error: `body does not inflate (${contentEncoding})`, payload: sent }],
      });
      throw new InvalidInputError(error.code, `${error.message} It was kept as a dead letter.`);
    }
    throw error;
  }
}

function decodeBody(body: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

/** Event Grid sends `[{ eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode } }]`. */
function findValidationCode(text: string | null): string | null {
  if (text === null) return null;
  const parsed = parseUntrustedJson(text);
  if (!parsed.ok || !isEventGridValidation(parsed.value) || !isRecord(parsed.value)) return null;
  const data = parsed.value.data;
  if (!isRecord(data) || typeof data.validationCode !== "string" || data.validationCode.length > 200) return null;
  return data.validationCode;
}
