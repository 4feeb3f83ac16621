import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { formatZodError, isRecord, parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { MAX_WEBHOOK_BYTES } from "./body-limits.ts";

/**
 * A CloudWatch Logs subscription delivers log events in an envelope: the decoded message
 * (`{ messageType, owner, logGroup, logStream, subscriptionFilters, logEvents: [{ id, timestamp, message }] }`), a
 * Lambda event (`{ awslogs: { data: base64(gzip(message)) } }`) or a Firehose HTTP endpoint record
 * (`{ data: base64(gzip(message)) }`, the body's `records`). This opens any of them into its log events.
 */

/** Largest envelope record: a Firehose record's data is up to 1,024,000 bytes before base64, a Lambda event less. */
export const MAX_LOG_SUBSCRIPTION_RECORD_CHARS = MAX_WEBHOOK_BYTES;

/** The first key of an envelope record, as AWS writes them; a JSON record so headed may exceed the usual record limit. */
const ENVELOPE_HEAD = /^\{\s*"(?:data|awslogs|messageType)"\s*:/;

/** Bytes of decoded and inflated data an input may still produce: a gzip bomb stops at the body limit, not at memory. */
export type InflationBudget = { limit: number; remaining: number };

export function createInflationBudget(limit = MAX_WEBHOOK_BYTES): InflationBudget {
  return { limit, remaining: limit };
}

/** One log event: its message, and the dead letter's payload should it not read (the CloudWatch Logs API's event shape). */
export type LogSubscriptionEntry = { ok: true; message: string; payload: string } | { ok: false; error: string; payload: string };

export type OpenedLogSubscription =
  | { kind: "none" }
  /** A CONTROL_MESSAGE (the subscription's health check) opens to no entries. */
  | { kind: "entries"; entries: LogSubscriptionEntry[] }
  /** A Firehose record whose data is no subscription message (decompression and message extraction on, an IoT rule). */
  | { kind: "text"; text: string }
  | { kind: "refused"; error: string; tooLarge: boolean };

const NONE = { kind: "none" } as const;

const LogEventSchema = z.object({
  id: z.string().max(200).nullish(),
  timestamp: z.number().nullish(),
  message: z.string(),
});

const SubscriptionMessageSchema = z
  .object({
    messageType: z.enum(["DATA_MESSAGE", "CONTROL_MESSAGE"]),
    logGroup: z.string().max(1000).nullish(),
    logStream: z.string().max(1000).nullish(),
    logEvents: z.array(z.unknown()),
  })
  .loose();

export function mayBeLogSubscription(text: string): boolean {
  return ENVELOPE_HEAD.test(text);
}

/** A JSON record's value opened as a subscription envelope, or `none` when it is not one. */
export function openLogSubscription(value: unknown, budget: InflationBudget): OpenedLogSubscription {
  if (!isRecord(value)) return NONE;
  if (typeof value.messageType === "string" && "logEvents" in value) return openMessage(value);
  if (isRecord(value.awslogs) && Object.keys(value).length === 1) {
    const data = value.awslogs.data;
    if (typeof data !== "string") return refuse("awslogs.data is not a string (base64 of the gzipped subscription message)");
    const decoded = decodeData(data, budget, "awslogs.data");
    if (decoded.kind === "refused") return decoded;
    const message = parseMessage(decoded.text);
    return message ? openMessage(message) : refuse("awslogs.data does not hold a CloudWatch Logs subscription message");
  }
  if ("data" in value && Object.keys(value).length === 1) {
    // The Firehose documentation's example shows a record's data decoded; what Firehose sends is base64.
    if (isRecord(value.data)) return openMessage(value.data);
    if (typeof value.data !== "string") return refuse("a Firehose record's data is not a string (base64)");
    const decoded = decodeData(value.data, budget, "the Firehose record's data");
    if (decoded.kind === "refused") return decoded;
    const message = parseMessage(decoded.text);
    return message ? openMessage(message) : { kind: "text", text: decoded.text };
  }
  return NONE;
}

/** Whether a record (JSON text) is an envelope whose data inflates past the budget; the budget is spent either way. */
export function findInflationOverrun(text: string, budget: InflationBudget): string | null {
  if (!mayBeLogSubscription(text)) return null;
  const json = parseUntrustedJson(text, { maxBytes: MAX_LOG_SUBSCRIPTION_RECORD_CHARS });
  if (!json.ok) return null;
  const opened = openLogSubscription(json.value, budget);
  return opened.kind === "refused" && opened.tooLarge ? opened.error : null;
}

function refuse(error: string): OpenedLogSubscription {
  return { kind: "refused", error, tooLarge: false };
}

function openMessage(value: Record<string, unknown>): OpenedLogSubscription {
  const parsed = SubscriptionMessageSchema.safeParse(value);
  if (!parsed.success) return refuse(`not a CloudWatch Logs subscription message: ${formatZodError(parsed.error)}`);
  const { messageType, logGroup, logStream, logEvents } = parsed.data;
  if (messageType === "CONTROL_MESSAGE") return { kind: "entries", entries: [] };
  const entries = logEvents.map((logEvent): LogSubscriptionEntry => {
    const event = LogEventSchema.safeParse(logEvent);
    if (!event.success) {
      const payload = JSON.stringify({ logGroupName: logGroup ?? "", logStreamName: logStream ?? "", event: logEvent });
      return { ok: false, error: `CloudWatch Logs log event: ${formatZodError(event.error)}`, payload };
    }
    const { id, timestamp, message } = event.data;
    // As `aws logs filter-log-events` prints an event, which every reader of exports (and re-processing) opens.
    const payload = JSON.stringify({ logGroupName: logGroup ?? "", logStreamName: logStream ?? "", eventId: id, timestamp, message });
    return { ok: true, message, payload };
  });
  return { kind: "entries", entries };
}

function parseMessage(text: string): Record<string, unknown> | null {
  if (!text.trimStart().startsWith("{")) return null;
  const json = parseUntrustedJson(text, { maxBytes: MAX_WEBHOOK_BYTES });
  return json.ok && isRecord(json.value) && typeof json.value.messageType === "string" ? json.value : null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Decoded = { kind: "text"; text: string } | Extract<OpenedLogSubscription, { kind: "refused" }>;

/** Base64, then gzip if it is gzip (AWS always compresses; Firehose may have decompressed), held to the budget. */
function decodeData(data: string, budget: InflationBudget, what: string): Decoded {
  if (data.length % 4 !== 0 || !BASE64.test(data)) return { kind: "refused", error: `${what} is not base64`, tooLarge: false };
  const bytes = Buffer.from(data, "base64");
  let inflated: Buffer = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: Math.max(budget.remaining, 1) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return overrun(budget);
      return { kind: "refused", error: `${what} does not inflate: ${(error as Error).message}`, tooLarge: false };
    }
  }
  if (inflated.length > budget.remaining) return overrun(budget);
  budget.remaining -= inflated.length;
  try {
    return { kind: "text", text: new TextDecoder("utf-8", { fatal: true }).decode(inflated) };
  } catch {
    return { kind: "refused", error: `${what} is not UTF-8 text once decoded`, tooLarge: false };
  }
}

function overrun(budget: InflationBudget): Decoded {
  budget.remaining = 0;
  return {
    kind: "refused",
    error:
      `the CloudWatch Logs data decompresses to more than ${budget.limit} bytes; the body limit holds for decompressed data, ` +
      "so lower the sender's batch (Firehose buffer) size",
    tooLarge: true,
  };
}
