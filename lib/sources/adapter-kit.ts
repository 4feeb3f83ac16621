import { z } from "zod";
// Rejection reasons become dead letters: worded the same on every path (webhook, worker, import), whatever loaded first.
import "@/lib/validation/readable-zod-messages.ts";
import {
  ConnectionEventSchema,
  DeviceIdSchema,
  hasControlCharacters,
  type AdapterResult,
  type ConnectionEvent,
} from "@/lib/events/connection-event.ts";
import { buildConnectionEvent, isPlainValidConnectionEvent } from "@/lib/events/build-connection-event.ts";

/** Largest single input (one MQTT message, one JSON record, one log line) an adapter accepts. */
export const MAX_RECORD_BYTES = 256 * 1024;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** An input read as a source's schema reads it, or why it could not be. */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type JsonResult = { ok: true; value: unknown; text: string } | { ok: false; error: string };

/** Deeper documents overflow the stack of recursive code downstream (JSON.stringify, the database's jsonb). */
export const MAX_JSON_DEPTH = 64;
/** Object keys in one document: far above any real event or export, far below what slows a parse. */
export const MAX_JSON_KEYS = 100_000;

/**
 * Decodes and parses one untrusted JSON input: strict UTF-8, bounded size, depth and key count, no
 * prototype-pollution keys (`__proto__`, `constructor`, `prototype` are refused anywhere in the document), and
 * JSON-escaped lone surrogates (`"\\ud800"`, which Postgres refuses in jsonb) replaced by U+FFFD.
 */
export function parseUntrustedJson(payload: Buffer | Uint8Array | string, options: { maxBytes?: number } = {}): JsonResult {
  const decoded = decodeText(payload, options.maxBytes);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  if (text.trim() === "") return { ok: false, error: "payload is empty" };
  const shape = measureJson(text);
  if (shape.depth > MAX_JSON_DEPTH) return { ok: false, error: `payload is nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (shape.keys > MAX_JSON_KEYS) return { ok: false, error: `payload has more than ${MAX_JSON_KEYS} keys` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `payload is not JSON: ${(error as Error).message}` };
  }
  // A reviver would slow every parse several-fold; walk the document only when a forbidden key or a lone
  // surrogate (possibly \u-escaped) could be in it.
  if (/__proto__|constructor|prototype|\\u/.test(text)) {
    const forbidden = findForbiddenKey(value);
    if (forbidden) return { ok: false, error: `payload is not JSON this adapter accepts: forbidden key "${forbidden}"` };
    if (ESCAPED_SURROGATE.test(text)) {
      const cleaned = replaceLoneSurrogates(value);
      return { ok: true, value: cleaned, text: JSON.stringify(cleaned) };
    }
  }
  return { ok: true, value, text };
}

const ESCAPED_SURROGATE = /\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceLoneSurrogates(value: unknown): unknown {
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD");
  if (Array.isArray(value)) return value.map(replaceLoneSurrogates);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key.replace(LONE_SURROGATE, "\uFFFD"), replaceLoneSurrogates(entry)]),
  );
}

/** One pass over the text: deepest nesting of objects and arrays, and the number of object keys (colons). */
function measureJson(text: string): { depth: number; keys: number } {
  let depth = 0;
  let maxDepth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
      continue;
    }
    if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) maxDepth = Math.max(maxDepth, ++depth);
    else if (char === 0x7d || char === 0x5d) depth--;
    else if (char === 0x3a) keys++;
  }
  return { depth: maxDepth, keys };
}

function findForbiddenKey(root: unknown): string | null {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return key;
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return null;
}

export function decodeText(
  payload: Buffer | Uint8Array | string,
  maxBytes = MAX_RECORD_BYTES,
): { ok: true; text: string } | { ok: false; error: string } {
  const size = typeof payload === "string" ? Buffer.byteLength(payload, "utf8") : payload.byteLength;
  if (size > maxBytes) return { ok: false, error: `payload too large: ${size} bytes (limit ${maxBytes})` };
  if (typeof payload === "string") {
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(payload))
      return { ok: false, error: "payload is not valid UTF-8 (lone surrogate)" };
    return { ok: true, text: payload };
  }
  try {
    return { ok: true, text: utf8.decode(payload) };
  } catch {
    return { ok: false, error: "payload is not valid UTF-8" };
  }
}

/** Vendor text fields: bounded and free of NUL, which Postgres text cannot store. */
export const VendorTextSchema = z
  .string()
  .max(2000)
  .transform((text) => text.replaceAll("\u0000", ""));

export { DeviceIdSchema, hasControlCharacters };

export function formatZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/** Validates built events against the canonical schema; any failure rejects the whole input. */
export function finishEvents(events: ConnectionEvent[]): AdapterResult {
  const checked: ConnectionEvent[] = [];
  for (const event of events) {
    // The zod parse was the costliest step of a well-formed message; a copy is what the parse would have returned.
    if (isPlainValidConnectionEvent(event)) {
      checked.push(buildConnectionEvent(event));
      continue;
    }
    const result = ConnectionEventSchema.safeParse(event);
    if (!result.success) return { ok: false, error: `invalid canonical event: ${formatZodError(result.error)}` };
    checked.push(result.data);
  }
  return { ok: true, events: checked };
}

export function reject(error: string): AdapterResult {
  return { ok: false, error };
}

/** Runs a builder and turns anything it throws into a rejection: adapters never throw on input. */
export function guard(build: () => AdapterResult): AdapterResult {
  try {
    return build();
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Epoch numbers below this are seconds (a device's `time()`, Python's `time.time()`): read as milliseconds they would
 * fall before March 1973, and as seconds they reach past the year 5000.
 */
const EPOCH_SECONDS_BELOW = 1e11;

/** ISO 8601 text, epoch milliseconds or epoch seconds (number or digits) to a Date; null when it is not a real instant. */
export function readInstant(value: unknown): Date | null {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0 && value < 8.64e15)
    return new Date(Math.trunc(value < EPOCH_SECONDS_BELOW ? value * 1000 : value));
  if (typeof value === "string" && value.length <= 64) {
    const trimmed = value.trim();
    if (/^\d{9,16}(?:\.\d{1,9})?$/.test(trimmed)) return readInstant(Number(trimmed));
    // Log Analytics portal CSV exports: "12/17/2018, 6:19:25.123 PM" (UTC column).
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(\.\d{1,3})?\d* (AM|PM)$/.exec(trimmed);
    if (us) {
      const hour = (Number(us[4]) % 12) + (us[8] === "PM" ? 12 : 0);
      const ms = Date.UTC(
        Number(us[3]),
        Number(us[1]) - 1,
        Number(us[2]),
        hour,
        Number(us[5]),
        Number(us[6]),
        Math.round(Number(us[7] ?? 0) * 1000),
      );
      return Number.isNaN(ms) ? null : new Date(ms);
    }
    if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
    // Sub-millisecond digits (Azure's 7-digit fractions) are cut; a missing zone means UTC.
    const normalized = trimmed.replace(" ", "T").replace(/(\.\d{3})\d+/, "$1");
    const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(normalized) ? normalized : `${normalized}Z`;
    const date = new Date(withZone);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/**
 * A time as exports and templated webhooks write it (epoch ms or s, as an integer or digits; ISO text), read to epoch
 * milliseconds. Quoted numbers come from CSV exports and from webhook body templates that quote every placeholder.
 */
export const InstantSchema = z.unknown().transform((value, ctx) => {
  const at = typeof value === "number" && !Number.isInteger(value) ? null : readInstant(value);
  if (at === null) {
    ctx.addIssue({ code: "custom", message: `not a time (epoch ms or s, or ISO 8601): ${describeValue(value)}` });
    return z.NEVER;
  }
  return at.getTime();
});

/** A non-negative integer as a number or as digits. */
export const CountSchema = z.unknown().transform((value, ctx) => {
  const count = typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
    ctx.addIssue({ code: "custom", message: `not a non-negative integer: ${describeValue(value)}` });
    return z.NEVER;
  }
  return count;
});

/** A boolean, or the text `true` / `false`. */
export const FlagSchema = z.unknown().transform((value, ctx) => {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  ctx.addIssue({ code: "custom", message: `not true or false: ${describeValue(value)}` });
  return z.NEVER;
});

function describeValue(value: unknown): string {
  return value === undefined ? "missing" : (JSON.stringify(value) ?? String(value)).slice(0, 64);
}

/** A reason or return code as a number, decimal digits, or hex (`0x8E`, as MQTT 5 tables print them); null otherwise. */
export function readCodeNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return null;
}

/** "ip:port" / "[v6]:port" / bare IP. */
export function splitAddress(text: string | null | undefined): { ip: string | null; port: number | null } {
  if (!text) return { ip: null, port: null };
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  if (bracketed) return { ip: bracketed[1] ?? null, port: Number(bracketed[2]) };
  const v4 = /^([^:]+):(\d{1,5})$/.exec(text);
  if (v4) return { ip: v4[1] ?? null, port: Number(v4[2]) };
  return { ip: text.slice(0, 100), port: null };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
