import { Prisma } from "@/lib/db/client.ts";

/**
 * A column of a bulk statement: its name, its Postgres element type and how to read it from a row. A `jsonb` column's
 * values are JSON texts (or null for SQL NULL).
 */
export type UnnestColumn<T> = readonly [name: string, type: string, value: (row: T) => string | number | boolean | null];

/**
 * `ROWS FROM (unnest($1::type[]), …) AS u(col, …)`: a whole batch as one bind parameter per column, so a statement of
 * any number of rows costs a few parameters instead of rows × columns (decision 024). Dates and bigints are passed as
 * text and cast by Postgres. Each column travels as one array literal built here, and a `jsonb` column as one JSON
 * array of its values, so a JSON payload is neither escaped into an array literal nor parsed twice (decision 050).
 */
export function unnestRows<T>(rows: readonly T[], columns: ReadonlyArray<UnnestColumn<T>>): Prisma.Sql {
  const sources = columns.map(([, type, value]) =>
    type === "jsonb"
      ? Prisma.sql`jsonb_array_elements(${toJsonArray(rows.map(value))}::jsonb)`
      : Prisma.sql`unnest(${toArrayLiteral(rows.map(value))}::${Prisma.raw(type)}[])`,
  );
  return Prisma.sql`ROWS FROM (${Prisma.join(sources)}) AS u(${Prisma.raw(columns.map(([name]) => name).join(", "))})`;
}

const QUOTE_OR_BACKSLASH = /["\\]/;
const QUOTES_AND_BACKSLASHES = /["\\]/g;

/**
 * A Postgres array literal (`{"a",NULL,3}`). node-postgres would build the same text, but with two regular-expression
 * replacements per element; most elements here need none, and this was the writer's largest Node cost after garbage
 * collection (decision 050).
 */
export function toArrayLiteral(values: ReadonlyArray<string | number | boolean | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = "NULL";
    else if (typeof value !== "string") parts[i] = String(value);
    else parts[i] = QUOTE_OR_BACKSLASH.test(value) ? `"${value.replace(QUOTES_AND_BACKSLASHES, "\\$&")}"` : `"${value}"`;
  }
  return `{${parts.join(",")}}`;
}

/** A JSON array of JSON texts; a null value becomes JSON null (not SQL NULL) once read back by jsonb_array_elements. */
function toJsonArray(values: ReadonlyArray<string | number | boolean | null>): string {
  return `[${values.map((value) => (value === null ? "null" : String(value))).join(",")}]`;
}

export const isoOrNull = (at: Date | null): string | null => (at === null ? null : at.toISOString());
export const textOrNull = (value: bigint | null): string | null => (value === null ? null : value.toString());
