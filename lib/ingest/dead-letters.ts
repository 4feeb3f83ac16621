import { MAX_DEAD_LETTER_TOPIC_CHARS } from "./dead-letter-topics.ts";

/** Bound on the stored copy of a rejected input; `payloadBytes` keeps the original size. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

/** `payloadBytes`: the input's size when `payload` is only its head (re-processing then says it cannot read it). */
export type DeadLetterInput = {
  source: string;
  topic: string | null;
  error: string;
  payload: Buffer | string;
  payloadBytes?: number;
  importRunId?: bigint;
};

/**
 * What a parser read to produce an event: the topic that names the parser (lib/ingest/dead-letter-topics.ts) and the
 * bytes it read. An event the database refuses is kept as a dead letter of this record, so it can be read again.
 */
export type RecordOrigin = { topic: string; payload: Buffer | string };

export type DeadLetterRow = {
  source: string;
  topic: string | null;
  error: string;
  payload: string;
  payloadBytes: number;
  importRunId: bigint | null;
};

/**
 * Shapes a rejected input for storage: bounded, valid UTF-8 text without NUL (Postgres text cannot hold it).
 * Binary payloads are kept as base64 so nothing is lost to decoding.
 */
export function toDeadLetterRow(input: DeadLetterInput): DeadLetterRow {
  const bytes = typeof input.payload === "string" ? Buffer.from(input.payload, "utf8") : input.payload;
  const head = bytes.subarray(0, MAX_DEAD_LETTER_BYTES);
  const text = head.toString("utf8");
  const isText = !text.includes("\uFFFD") && !text.includes("\u0000");
  const payload = isText ? text : `base64:${head.toString("base64")}`;
  return {
    source: input.source.slice(0, 100),
    topic: input.topic === null ? null : stripNul(input.topic).slice(0, MAX_DEAD_LETTER_TOPIC_CHARS),
    error: boundDeadLetterError(input.error),
    payload,
    payloadBytes: Math.max(bytes.length, input.payloadBytes ?? 0),
    importRunId: input.importRunId ?? null,
  };
}

/** A dead letter's reason as stored: without NUL, at most 2,000 characters. */
export function boundDeadLetterError(error: string): string {
  return stripNul(error).slice(0, 2000);
}

function stripNul(text: string): string {
  return text.replaceAll("\u0000", "\\u0000");
}
