import { Prisma } from "@/lib/db/client.ts";

/** A column of a bulk statement: its name, its Postgres element type and how to read it from a row. */
export type UnnestColumn<T> = readonly [name: string, type: string, value: (row: T) => string | number | boolean | null];

/**
 * `unnest($1::type[], $2::type[], …) AS u(col, …)`: a whole batch as one bind parameter per column, so a statement
 * of any number of rows costs a few parameters instead of rows × columns (decision 024). Dates and bigints are
 * passed as text and cast by Postgres.
 */
export function unnestRows<T>(rows: readonly T[], columns: ReadonlyArray<UnnestColumn<T>>): Prisma.Sql {
  const arrays = columns.map(([, type, value]) => Prisma.sql`${rows.map(value)}::${Prisma.raw(type)}[]`);
  return Prisma.sql`unnest(${Prisma.join(arrays)}) AS u(${Prisma.raw(columns.map(([name]) => name).join(", "))})`;
}

export const isoOrNull = (at: Date | null): string | null => (at === null ? null : at.toISOString());
export const textOrNull = (value: bigint | null): string | null => (value === null ? null : value.toString());
