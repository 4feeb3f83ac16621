import { constants as zlibConstants, gunzipSync } from "node:zlib";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { RECORD_FORMATS, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { createRecordProcessor } from "./record-processor.ts";
import { pushDecodedLine, pushDecodedRecord } from "./push-decoded-input.ts";
import { isGzip, readRecords, readsRecords } from "./record-reader.ts";
import { createUtf8ChunkDecoder } from "./utf8-chunks.ts";

/** How much of a file is read to recognise it and preview it. */
export const SNIFF_SAMPLE_BYTES = 256 * 1024;
const PREVIEW_EVENTS = 10;
/** Share of control characters (other than tab, CR, LF, FF) above which a text is not a log. */
const MAX_CONTROL_SHARE = 0.01;

export type FormatFit = { name: string; title: string; records: number; events: number; rejected: number };

export type PreviewEvent = Pick<ConnectionEvent, "deviceId" | "kind" | "reason" | "code" | "occurredAt">;

export type ImportSniff = {
  /** Why the file cannot be imported at all (a binary file); null for text. */
  refusal: string | null;
  /** The sample was the whole file. */
  complete: boolean;
  sampleBytes: number;
  /** Every format's result on the sample, best fit first. */
  fits: FormatFit[];
  /** The best-fitting format when it is not the one asked for and finds more events in the sample; null otherwise. */
  suggested: string | null;
  /** The asked-for format on the sample: the first events it would store and its rejection rate. */
  chosen: FormatFit & { rejectionRate: number; preview: PreviewEvent[]; firstRejections: { index: number; error: string }[] };
};

/**
 * Looks at the head of a file before it is imported: refuses binaries, tries every format on the sample to
 * suggest the right one, and previews what the chosen format would store. Pure: the caller reads the sample.
 */
export function sniffImport(
  file: Uint8Array,
  format: RecordFormat,
  fileComplete: boolean,
  /** The year of the file's first year-less syslog line, when the uploader gives it. */
  options: { syslogYear?: number | null } = {},
): ImportSniff {
  const year = options.syslogYear ?? null;
  const gunzipped = isGzip(file) ? gunzipHead(file, fileComplete) : null;
  const sample = gunzipped?.bytes ?? file;
  const complete = gunzipped && "complete" in gunzipped ? gunzipped.complete : fileComplete;
  const refusal = gunzipped && "error" in gunzipped ? gunzipped.error : findBinaryReason(sample, complete);
  // Decoded as the import decodes: a byte that is not UTF-8 is marked, so its line or record is counted rejected.
  const text = refusal === null ? decodeMarkingInvalidBytes(sample, complete) : "";
  const fits = refusal === null ? Object.values(RECORD_FORMATS).map((candidate) => tryFormat(candidate, text, complete, year).fit) : [];
  // Log formats skip lines they do not know without rejecting them, so what a format reads is measured in events.
  fits.sort((a, b) => b.events - a.events || a.rejected - b.rejected);
  const chosenRun = refusal === null ? tryFormat(format, text, complete, year) : null;
  const chosenFit = chosenRun?.fit ?? { name: format.name, title: format.title, records: 0, events: 0, rejected: 0 };
  const best = fits[0];
  const suggested = best && best.name !== format.name && best.events > chosenFit.events ? best.name : null;
  return {
    refusal,
    complete,
    sampleBytes: sample.byteLength,
    fits,
    suggested,
    chosen: {
      ...chosenFit,
      rejectionRate: chosenFit.records === 0 ? 0 : chosenFit.rejected / chosenFit.records,
      preview: chosenRun?.preview ?? [],
      firstRejections: chosenRun?.firstRejections ?? [],
    },
  };
}

/** Above this, a compressed head is cut shorter before it is inflated (a ratio no log file reaches). */
const MAX_GUNZIPPED_HEAD_BYTES = 32 * 1024 * 1024;

/** The first SNIFF_SAMPLE_BYTES of the text inside a gzip file's head (the head may end mid-stream). */
function gunzipHead(head: Uint8Array, fileComplete: boolean): { bytes: Uint8Array; complete: boolean } | { bytes: null; error: string } {
  for (let length = head.byteLength; length >= 1024 || length === head.byteLength; length = Math.floor(length / 16)) {
    try {
      const text = gunzipSync(head.subarray(0, length), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_GUNZIPPED_HEAD_BYTES,
      });
      const whole = fileComplete && length === head.byteLength && text.byteLength <= SNIFF_SAMPLE_BYTES;
      return { bytes: text.subarray(0, SNIFF_SAMPLE_BYTES), complete: whole };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE")
        return { bytes: null, error: `it is a gzip file that cannot be inflated (${(error as Error).message})` };
    }
  }
  return { bytes: null, error: "it is a gzip file that inflates to far more text than a log would" };
}

/** A file in another encoding, or binary, has bad bytes on many lines; a log has at most a stray one or two. */
const MAX_NON_UTF8_LINE_SHARE = 0.1;

/**
 * Whether enough lines are not UTF-8 that the file is in another encoding or binary. A few bad lines are kept: each
 * such record becomes a dead letter with its bytes as sent (decision 076), and refusing the file would lose the rest.
 */
function isMostlyNotUtf8(bytes: Uint8Array): boolean {
  const strict = new TextDecoder("utf-8", { fatal: true });
  try {
    strict.decode(bytes);
    return false;
  } catch {
    // Counted line by line below.
  }
  let lines = 0;
  let bad = 0;
  for (let start = 0; start < bytes.byteLength;) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.byteLength : newline + 1;
    lines += 1;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      bad += 1;
    }
    start = end;
  }
  return bad >= Math.max(2, lines * MAX_NON_UTF8_LINE_SHARE);
}

/** Null for text a log could be; otherwise why the bytes are not one. */
export function findBinaryReason(sample: Uint8Array, complete: boolean): string | null {
  if (sample.includes(0)) return "it contains NUL bytes, so it is a binary file, not a text log or JSON export";
  // A sample cut mid-character ends in an incomplete sequence: only the last 3 bytes may be forgiven.
  const checked = complete ? sample : sample.subarray(0, Math.max(0, sample.byteLength - 3));
  if (isMostlyNotUtf8(checked))
    return "it is not UTF-8 text, so it is a binary file or a log in another encoding (convert it to UTF-8 first)";
  const text = new TextDecoder("utf-8").decode(checked);
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0001-\u0008\u000b\u000e-\u001f\u007f]/g)?.length ?? 0;
  if (text.length > 0 && controls / text.length > MAX_CONTROL_SHARE)
    return "it is full of control characters, so it is a binary file, not a text log";
  return null;
}

/** A partial sample's last character may be cut: it is left out rather than marked as bytes that are not UTF-8. */
function decodeMarkingInvalidBytes(sample: Uint8Array, complete: boolean): string {
  const decoder = createUtf8ChunkDecoder();
  const text = decoder.decode(Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength));
  return complete ? text + decoder.decode(null) : text;
}

function tryFormat(format: RecordFormat, text: string, complete: boolean, year: number | null) {
  const processor = createRecordProcessor(format, null, { syslogYear: { year } });
  const preview: PreviewEvent[] = [];
  const take = () => {
    for (const event of processor.drain().events) {
      if (preview.length < PREVIEW_EVENTS)
        preview.push({ deviceId: event.deviceId, kind: event.kind, reason: event.reason, code: event.code, occurredAt: event.occurredAt });
    }
  };
  if (!readsRecords(format, text)) {
    const lines = text.split("\n");
    // The sample's last line is cut unless the sample is the whole file.
    if (!complete) lines.pop();
    for (const line of lines) pushDecodedLine(processor, line);
  } else {
    for (const record of readRecords(format, text, complete)) pushDecodedRecord(processor, record);
  }
  take();
  const counts = processor.counts();
  return {
    fit: { name: format.name, title: format.title, records: counts.records, events: counts.events, rejected: counts.rejected },
    preview,
    firstRejections: processor.firstRejections().slice(0, 5),
  };
}
