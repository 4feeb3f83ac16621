import type { SplitRecord } from "./json-record-splitter.ts";
import { MAX_RECORD_BYTES } from "@/lib/sources/adapter-kit.ts";

const MAX_FIELD_CHARS = 64 * 1024;
/**
 * A row's values are kept up to this many characters: its record (JSON, at least as long as its values) would be too
 * large for any adapter beyond it. Past it the row's fields are only counted, so one line of a billion commas in an
 * upload no longer becomes an array of a billion strings.
 */
const MAX_ROW_CHARS = MAX_RECORD_BYTES;

/** A column name as exports print them: `TimeGenerated [UTC]`, `properties_s`, `@timestamp`, `@message`. */
export const CSV_COLUMN_NAME = /^[@\w][\w .@[\]-]*$/;

/**
 * Streams RFC 4180 CSV (Log Analytics export): the first row names the columns, every later row becomes one
 * JSON record `{ column: value }`. Quoted fields may hold commas, doubled quotes and newlines.
 */
export class CsvRecordReader {
  private header: string[] | null = null;
  private row: string[] = [];
  /** Fields of the row so far, kept or not, and the characters of those kept. */
  private fields = 0;
  private rowChars = 0;
  private overlong = false;
  private field = "";
  private quoted = false;
  private afterQuote = false;
  private oversized = false;

  push(chunk: string): SplitRecord[] {
    const out: SplitRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (this.quoted) {
        if (c === '"') {
          this.quoted = false;
          this.afterQuote = true;
        } else this.append(c);
        continue;
      }
      if (c === '"') {
        if (this.afterQuote) this.append('"');
        this.quoted = true;
        this.afterQuote = false;
      } else if (c === ",") {
        this.endField();
      } else if (c === "\n") {
        this.endField();
        const record = this.endRow();
        if (record) out.push(record);
      } else if (c !== "\r" && !(c === "\uFEFF" && this.header === null && this.row.length === 0 && this.field === "")) {
        this.afterQuote = false;
        this.append(c);
      }
    }
    return out;
  }

  end(): SplitRecord[] {
    if (this.quoted) return [{ ok: false, error: "CSV ended inside a quoted field (truncated)", text: this.field.slice(0, 1000) }];
    if (this.field === "" && this.fields === 0) return [];
    this.endField();
    const record = this.endRow();
    return record ? [record] : [];
  }

  private append(c: string): void {
    if (this.field.length < MAX_FIELD_CHARS) this.field += c;
    else this.oversized = true;
  }

  private endField(): void {
    this.fields += 1;
    // With its separator: a row of a billion empty fields is as long as its commas (and its record longer).
    this.rowChars += this.field.length + 1;
    if (this.rowChars > MAX_ROW_CHARS) this.overlong = true;
    else this.row.push(this.field);
    this.field = "";
    this.afterQuote = false;
  }

  private endRow(): SplitRecord | null {
    const row = this.row;
    const { oversized, overlong, fields } = this;
    this.row = [];
    this.oversized = false;
    this.overlong = false;
    this.fields = 0;
    this.rowChars = 0;
    if (fields === 1 && row[0] === "") return null;
    if (this.header === null) {
      this.header = row.map((name) => name.replace(/ \[UTC\]$/, "").trim());
      // Rows under a line that names no columns are refused one by one; the line itself is said to be the cause.
      if (overlong || row.length < 2 || !row.every((name) => CSV_COLUMN_NAME.test(name.trim())))
        return {
          ok: false,
          error: "the first line is not a CSV header row (column names separated by commas)",
          text: row.join(",").slice(0, 1000),
        };
      return null;
    }
    const text = row.join(",").slice(0, 1000);
    if (oversized) return { ok: false, error: `CSV field longer than ${MAX_FIELD_CHARS} characters`, text };
    if (fields !== this.header.length)
      return { ok: false, error: `CSV row has ${fields} fields, the header has ${this.header.length}`, text };
    if (overlong) return { ok: false, error: `CSV row longer than ${MAX_ROW_CHARS} characters`, text };
    const record: Record<string, string> = {};
    this.header.forEach((name, index) => {
      if (name !== "__proto__" && name !== "constructor" && name !== "prototype") record[name] = row[index] ?? "";
    });
    return { ok: true, text: JSON.stringify(record) };
  }
}
