import type { SplitRecord } from "./json-record-splitter.ts";
import type { RecordProcessor } from "./record-processor.ts";
import { trimLogLine } from "./record-reader.ts";
import { encodeKeepingInvalidBytes, hasInvalidBytes, showInvalidBytes } from "./utf8-chunks.ts";

export const LINE_NOT_UTF8 = "log line is not valid UTF-8";

/**
 * A record of text decoded with marks for bytes that are not UTF-8 (utf8-chunks.ts): one holding such a byte is refused
 * (as a log line is), not stored with its text altered; its dead letter keeps the bytes as sent (base64), so
 * re-processing and people see what came. The import and its preview both read records through this.
 */
export function pushDecodedRecord(processor: RecordProcessor, record: SplitRecord): void {
  if (hasInvalidBytes(record.text))
    processor.pushRejected(record.ok ? describeInvalidRecord(record.text) : record.error, encodeKeepingInvalidBytes(record.text));
  else processor.pushJson(record);
}

/** A log line of marked text (see pushDecodedRecord); blank lines are not records. */
export function pushDecodedLine(processor: RecordProcessor, line: string): void {
  if (hasInvalidBytes(line)) processor.pushRejected(LINE_NOT_UTF8, encodeKeepingInvalidBytes(line));
  else if (line.trim() !== "") processor.pushLine(trimLogLine(line));
}

function describeInvalidRecord(text: string): string {
  const shown = showInvalidBytes(text);
  return `record is not valid UTF-8; the payload keeps its bytes as sent (base64). As text, with U+FFFD for those bytes: ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`;
}
