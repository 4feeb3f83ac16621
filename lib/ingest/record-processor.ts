import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import type { DeadLetterInput, RecordOrigin } from "./dead-letters.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";
import { splitJsonRecords, type SplitRecord } from "./json-record-splitter.ts";
import { createInflationBudget, MAX_LOG_SUBSCRIPTION_RECORD_CHARS, mayBeLogSubscription, openLogSubscription } from "./log-subscription.ts";
import { trimLogLine, unwrapLogExportRecord } from "./record-reader.ts";

export type RecordProcessor = {
  pushJson(record: SplitRecord): void;
  pushLine(line: string): void;
  /** A record the reader already found unreadable (invalid UTF-8, too long: `payloadBytes` when only its head is given). */
  pushRejected(error: string, payload: Buffer | string, payloadBytes?: number): void;
  /** Events and dead letters gathered since the last call; `origins`: the record each event was read from (given a topic). */
  drain(): { events: ConnectionEvent[]; deadLetters: DeadLetterInput[]; origins: Map<ConnectionEvent, RecordOrigin> };
  pendingCount(): number;
  /** `skipped`: log lines read without error that hold no lifecycle event (a broker log is mostly other lines). */
  counts(): { records: number; rejected: number; events: number; skipped: number };
  /** The first rejections with the 0-based index of their record in the input. */
  firstRejections(): { index: number; error: string }[];
};

const MAX_KEPT_REJECTIONS = 20;

/**
 * Feeds records of one format (webhook body or import file) through a fresh adapter instance, collecting
 * canonical events and dead letters. Nothing thrown by an adapter escapes: it becomes a dead letter.
 */
export function createRecordProcessor(
  format: RecordFormat,
  topic: string | null,
  options: {
    /** When a webhook delivered the records: the time of a record that carries none. */
    receivedAt?: Date;
    /** Year-less syslog times: placed relative to this (default: `receivedAt`, else now), or in the year given. */
    syslogYear?: { reference?: Date; year?: number | null };
  } = {},
): RecordProcessor {
  const receivedAt = options.receivedAt;
  let events: ConnectionEvent[] = [];
  let deadLetters: DeadLetterInput[] = [];
  let origins = new Map<ConnectionEvent, RecordOrigin>();
  let records = 0;
  let rejected = 0;
  let eventCount = 0;
  let skipped = 0;
  const rejections: { index: number; error: string }[] = [];
  const parseJson = format.input === "json" ? format.createParser() : null;
  const parseLine =
    format.input === "lines"
      ? format.createParser({
          syslogYear: {
            reference: options.syslogYear?.reference ?? receivedAt ?? new Date(),
            year: options.syslogYear?.year ?? null,
          },
        })
      : null;

  function add(adapted: AdapterResult, payload: string | Buffer, payloadBytes?: number): void {
    const result = refuseEventsFromTheFuture(adapted, receivedAt?.getTime() ?? Date.now());
    const index = records;
    records += 1;
    if (result.ok) {
      events.push(...result.events);
      eventCount += result.events.length;
      if (topic !== null) for (const event of result.events) origins.set(event, { topic, payload });
    } else {
      rejected += 1;
      if (rejections.length < MAX_KEPT_REJECTIONS) rejections.push({ index, error: result.error });
      deadLetters.push({ source: format.source, topic, error: result.error, payload, payloadBytes });
    }
  }

  function safely(run: () => AdapterResult): AdapterResult {
    try {
      return run();
    } catch (error) {
      return { ok: false, error: `adapter crashed: ${(error as Error).message}` };
    }
  }

  function pushLine(line: string): void {
    if (!parseLine) return add({ ok: false, error: `format ${format.name} takes JSON, not log lines` }, line);
    if (line.trim() === "") return;
    const result = safely(() => parseLine(line, receivedAt));
    if (result.ok && result.events.length === 0) skipped += 1;
    add(result, line);
  }

  /** An entry of a log export or subscription: a line for a log format, a JSON entry for a JSON format. */
  function pushEntry(entry: string, payload: string): void {
    if (!parseJson) return pushLine(trimLogLine(entry.replace(/\n$/, "")));
    const json = parseUntrustedJson(entry);
    if (!json.ok) return add({ ok: false, error: `CloudWatch log event's message is not a JSON entry: ${json.error}` }, payload);
    add(
      safely(() => parseJson({ value: json.value, text: json.text, receivedAt })),
      payload,
    );
  }

  /** `opens`: whether a CloudWatch Logs subscription envelope is opened (not inside one: its data is not unwrapped twice). */
  function pushRecord(record: SplitRecord, opens: boolean): void {
    if (!record.ok) return add({ ok: false, error: record.error }, record.text);
    const json = parseUntrustedJson(record.text, mayBeLogSubscription(record.text) ? { maxBytes: MAX_LOG_SUBSCRIPTION_RECORD_CHARS } : {});
    if (!json.ok) return add(json, record.text);
    const opened = opens ? openLogSubscription(json.value, createInflationBudget()) : null;
    if (opened?.kind === "refused") return add({ ok: false, error: opened.error }, record.text);
    if (opened?.kind === "entries") {
      for (const entry of opened.entries) {
        if (entry.ok) pushEntry(entry.message, entry.payload);
        else add({ ok: false, error: entry.error }, entry.payload);
      }
      return;
    }
    if (opened?.kind === "text") {
      if (parseJson) for (const inner of splitJsonRecords(opened.text)) pushRecord(inner, false);
      else for (const line of opened.text.split("\n")) pushLine(trimLogLine(line));
      return;
    }
    const entry = unwrapLogExportRecord(json.value);
    if (entry !== null) return pushEntry(entry, record.text);
    if (!parseJson)
      return add(
        { ok: false, error: `format ${format.name} takes log lines (or a CloudWatch Logs export of them), not JSON` },
        record.text,
      );
    add(
      safely(() => parseJson({ value: json.value, text: json.text, receivedAt })),
      record.text,
    );
  }

  return {
    pushJson: (record) => pushRecord(record, true),
    pushLine,
    pushRejected(error, payload, payloadBytes) {
      // Bytes stay bytes: a payload that is not UTF-8 is kept as sent (base64), not decoded to U+FFFD.
      add({ ok: false, error }, payload, payloadBytes);
    },
    drain() {
      const out = { events, deadLetters, origins };
      events = [];
      deadLetters = [];
      origins = new Map();
      return out;
    },
    pendingCount: () => events.length + deadLetters.length,
    counts: () => ({ records, rejected, events: eventCount, skipped }),
    firstRejections: () => [...rejections],
  };
}
