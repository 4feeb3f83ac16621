import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import { CsvRecordReader } from "./csv-records.ts";
import { JsonRecordSplitter, type SplitRecord } from "./json-record-splitter.ts";

/** Turns text pushed in chunks into JSON records (for a JSON format's adapter, or a log export's entries). */
export type RecordReader = { push(chunk: string): SplitRecord[]; end(): SplitRecord[] };

/** Column names as exports print them: `TimeGenerated [UTC]`, `properties_s`, `@timestamp`, `@message`. */
const CSV_COLUMN = /^"?[@\w][\w .@[\]-]*"?$/;

/**
 * The reader for a JSON format's input, chosen from its head: CSV when the first line is a header row (Log Analytics
 * and CloudWatch Logs Insights exports), JSON otherwise (a value, array, records/events wrapper, NDJSON).
 */
export function createRecordReader(format: RecordFormat, head: string): RecordReader {
  // Log Analytics CSV is read as CSV unless it is JSON: its adapter reads both, and a JSON body read as CSV was one
  // header row and no records.
  const csv = isCsvHeader(head) || (format.name === "log-analytics-csv" && !startsAsJson(head));
  return csv ? new CsvRecordReader() : new JsonRecordSplitter();
}

function startsAsJson(head: string): boolean {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  return start.startsWith("{") || start.startsWith("[");
}

/**
 * Whether an input is read as records (JSON or CSV) rather than as log lines: always for a JSON format; for a log
 * format when the input is a CloudWatch Logs export of the log (JSON, or a Logs Insights CSV with `@message`), whose
 * entries are the log's lines (the CloudWatch agent ships Mosquitto and HiveMQ logs there).
 */
export function readsRecords(format: RecordFormat, head: string): boolean {
  if (format.input === "json") return true;
  if (startsAsJson(head)) return true;
  const start = head.replace(/^\uFEFF/, "").trimStart();
  return (
    isCsvHeader(start) &&
    firstLineOf(start)
      .split(",")
      .some((column) => column.trim().replaceAll('"', "") === "@message")
  );
}

/** The records of a whole text one by one, read a slice at a time: a body of a million records is never a million at once. */
export function* iterateRecords(format: RecordFormat, text: string, sliceChars = 64 * 1024): Generator<SplitRecord> {
  const reader = createRecordReader(format, text);
  for (let start = 0; start < text.length; start += sliceChars) yield* reader.push(text.slice(start, start + sliceChars));
  yield* reader.end();
}

/** Reads a whole text (a webhook body, a sniffed sample); `complete` false keeps a cut last record unread. */
export function readRecords(format: RecordFormat, text: string, complete = true): SplitRecord[] {
  const reader = createRecordReader(format, text);
  return complete ? [...reader.push(text), ...reader.end()] : reader.push(text);
}

function firstLineOf(text: string): string {
  return (
    text
      .replace(/^\uFEFF/, "")
      .trimStart()
      .split(/\r?\n/, 1)[0] ?? ""
  );
}

function isCsvHeader(head: string): boolean {
  const columns = firstLineOf(head).split(",");
  return columns.length >= 2 && columns.every((column) => CSV_COLUMN.test(column.trim()));
}

/**
 * The log entry inside a CloudWatch Logs export record: `message` of an `aws logs filter-log-events` /
 * `get-log-events` event, or `@message` of a Logs Insights row (JSON or CSV download). Null for any other record.
 */
export function unwrapLogExportRecord(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record["@message"] === "string") return record["@message"];
  const isLogEvent = "ingestionTime" in record || "logStreamName" in record || "eventId" in record;
  return isLogEvent && typeof record.message === "string" ? record.message : null;
}

/** One line of a log format as the adapters read it: without a byte-order mark (a first line) or a CR (CRLF files). */
export function trimLogLine(line: string): string {
  return line.replace(/^\uFEFF/, "").replace(/\r$/, "");
}

/** A gzip stream's magic bytes. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
