import { MAX_LOG_SUBSCRIPTION_RECORD_CHARS, mayBeLogSubscription } from "./log-subscription.ts";

/** Largest single JSON record kept for parsing; a longer one becomes a dead letter with its head. */
export const MAX_JSON_RECORD_CHARS = 256 * 1024;

export type SplitRecord = { ok: true; text: string } | { ok: false; error: string; text: string };

const VALUE_MAY_OPEN_AFTER = ":,[";
/** Text between values kept for its dead letter. */
const MAX_STRAY_CHARS = 1000;

/**
 * The head of a wrapper whose array holds the records: Azure Monitor's `records`, the CloudWatch Logs API's `events`,
 * and a Firehose HTTP endpoint delivery's `records` after its `requestId` and `timestamp`.
 */
const WRAPPER_HEAD = /^\{\s*(?:"(?:requestId|timestamp)"\s*:\s*(?:"[^"\\]*"|\d+)\s*,\s*)*"(?:records|events)"\s*:\s*\[$/;

const TIMESTAMP_PREFIX = /^\d{4}-\d{2}-\d{2}[T ][\d:.,]+(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Streams JSON records out of text pushed in chunks, in bounded memory: a single value, a top-level array,
 * a `{ "records": [...] }` wrapper (Azure Monitor, Firehose after its `requestId`) or `{ "events": [...] }` wrapper
 * (`aws logs filter-log-events` and `get-log-events` output), NDJSON or concatenated objects. A CloudWatch Logs
 * subscription envelope may be as long as a webhook body (a Firehose record's data is up to 1 MB); other records are
 * held to MAX_JSON_RECORD_CHARS. Text between values is
 * reported as an error record, except a timestamp prefix per line (CloudWatch Logs exports).
 */
export class JsonRecordSplitter {
  private record = "";
  /**
   * The record's last character other than whitespace, kept as it grows: reading it back from the record at every
   * bracket flattened the growing string each time (quadratic in a record's size).
   */
  private lastNonSpace = "";
  private recordChars = 0;
  private maxRecordChars = MAX_JSON_RECORD_CHARS;
  private recording = false;
  private depth = 0;
  /** Depth at which records live: 0 top level, 1 inside a top-level array, 2 inside a records or events wrapper. */
  private base = 0;
  private inString = false;
  private escaped = false;
  /** Skipping the rest of a wrapper object after its records array. */
  private skippingTail = false;
  /**
   * The record so far may still be a `{ "records": [` wrapper's head: no value opened at depth 2 yet. Once one has,
   * the head test cannot match any more, and testing again at every array of a huge record was quadratic.
   */
  private mayBeWrapper = false;
  private stray = "";

  push(chunk: string): SplitRecord[] {
    const out: SplitRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (this.recording) {
        if (this.inString) {
          // JSON strings hold no raw line break: the line was cut (a partial line in NDJSON); the next line is read anew.
          if (c === "\n") {
            out.push(this.cutRecord("a line ended inside a string"));
            continue;
          }
          this.append(c);
          if (this.escaped) this.escaped = false;
          else if (c === "\\") this.escaped = true;
          else if (c === '"') this.inString = false;
          continue;
        }
        // An object or array may only open after `:`, `,` or `[`; anywhere else the record before it was cut short, and
        // reading on would swallow every following record into it.
        if ((c === "{" || c === "[") && !this.valueMayOpen()) {
          out.push(this.cutRecord("the next value began before it closed"));
        } else {
          this.append(c);
          if (c === '"') this.inString = true;
          else if (c === "{" || c === "[") {
            this.depth += 1;
            const wrapperHead = this.mayBeWrapper && this.depth === 2;
            if (this.depth === 2) this.mayBeWrapper = false;
            if (wrapperHead && c === "[" && this.base === 0 && WRAPPER_HEAD.test(this.record)) {
              this.base = 2;
              this.recording = false;
              this.record = "";
              this.lastNonSpace = "";
            }
          } else if (c === "}" || c === "]") {
            this.depth -= 1;
            if (this.depth === this.base) out.push(this.finishRecord());
          }
          continue;
        }
      }
      if (this.skippingTail) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === "\\") this.escaped = true;
          else if (c === '"') this.inString = false;
        } else if (c === '"') this.inString = true;
        else if (c === "{" || c === "[") this.depth += 1;
        else if (c === "}" || c === "]") {
          this.depth -= 1;
          if (this.depth === 0) {
            this.skippingTail = false;
            this.base = 0;
          }
        }
        continue;
      }
      if (c === "{" || (c === "[" && this.base > 0)) {
        this.flushStray(out);
        this.recording = true;
        this.record = c;
        this.lastNonSpace = c;
        this.recordChars = 1;
        this.maxRecordChars = MAX_JSON_RECORD_CHARS;
        this.depth = this.base + 1;
        this.mayBeWrapper = true;
      } else if (c === "[" && this.base === 0) {
        this.flushStray(out);
        this.base = 1;
        this.depth = 1;
      } else if (c === "]" && this.base === 1) {
        this.flushStray(out);
        this.base = 0;
        this.depth = 0;
      } else if (c === "]" && this.base === 2) {
        this.flushStray(out);
        this.depth = 1;
        this.skippingTail = true;
      } else if (c === "," && this.base > 0) {
        this.flushStray(out);
      } else if (c === "\n") {
        this.flushStray(out);
      } else if (c !== " " && c !== "\t" && c !== "\r" && c !== "\uFEFF") {
        if (this.stray.length < MAX_STRAY_CHARS) this.stray += c;
        // Whitespace too stops at the bound: past it no other character is kept, and trim() drops trailing whitespace.
        // Unbounded, a stray word followed by a gigabyte of spaces grew one string a character at a time (memory).
      } else if (this.stray && this.stray.length < MAX_STRAY_CHARS) this.stray += c;
    }
    return out;
  }

  end(): SplitRecord[] {
    const out: SplitRecord[] = [];
    this.flushStray(out);
    if (this.recording) out.push({ ok: false, error: "input ended inside a JSON value (truncated)", text: this.record });
    else if (this.base !== 0 || this.skippingTail) out.push({ ok: false, error: "input ended inside a JSON array (truncated)", text: "" });
    this.recording = false;
    this.record = "";
    this.lastNonSpace = "";
    return out;
  }

  /** Whether the record read so far ends where a value may start (its last character other than whitespace). */
  private valueMayOpen(): boolean {
    // A record cut at the size limit no longer ends where the input is; it becomes a dead letter anyway.
    if (this.recordChars > this.maxRecordChars) return true;
    return this.lastNonSpace === "" || VALUE_MAY_OPEN_AFTER.includes(this.lastNonSpace);
  }

  private append(c: string): void {
    this.recordChars += 1;
    if (this.recordChars === MAX_JSON_RECORD_CHARS + 1 && mayBeLogSubscription(this.record))
      this.maxRecordChars = MAX_LOG_SUBSCRIPTION_RECORD_CHARS;
    if (this.recordChars > this.maxRecordChars) return;
    this.record += c;
    if (c !== " " && c !== "\t" && c !== "\r" && c !== "\n") this.lastNonSpace = c;
  }

  private cutRecord(why: string): SplitRecord {
    const text = this.record;
    this.recording = false;
    this.inString = false;
    this.escaped = false;
    this.record = "";
    this.lastNonSpace = "";
    this.depth = this.base;
    return { ok: false, error: `JSON value cut short: ${why}`, text };
  }

  private finishRecord(): SplitRecord {
    this.recording = false;
    const text = this.record;
    this.record = "";
    this.lastNonSpace = "";
    if (this.recordChars > this.maxRecordChars)
      return { ok: false, error: `JSON record too large: ${this.recordChars} characters (limit ${this.maxRecordChars})`, text };
    return { ok: true, text };
  }

  private flushStray(out: SplitRecord[]): void {
    const text = this.stray.trim();
    this.stray = "";
    if (text === "" || TIMESTAMP_PREFIX.test(text)) return;
    out.push({ ok: false, error: describeStray(text), text });
  }
}

/** A bare number, string, boolean or null where an event was expected says so; anything else is stray text. */
function describeStray(text: string): string {
  const kind =
    text === "null"
      ? "null"
      : text === "true" || text === "false"
        ? "boolean"
        : /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)
          ? "number"
          : /^"(?:[^"\\]|\\.)*"$/.test(text)
            ? "string"
            : null;
  return kind === null ? "text outside a JSON value" : `a JSON ${kind} where an object (one event) was expected`;
}

/** Splits a whole body at once (webhooks); imports push chunks instead. */
export function splitJsonRecords(text: string): SplitRecord[] {
  const splitter = new JsonRecordSplitter();
  return [...splitter.push(text), ...splitter.end()];
}
