import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client.ts";

/** The client or a transaction: anything with `$queryRaw`. */
export type RawQueryable = { $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T> };

/** A row Postgres returned does not have the shape its query promised: the query, the row and the field are named. */
export class RowShapeError extends Error {
  constructor(
    readonly query: string,
    readonly rowIndex: number,
    readonly field: string,
    problem: string,
  ) {
    super(`${query}: row ${rowIndex}, field "${field}": ${problem}`);
    this.name = "RowShapeError";
  }
}

/**
 * Runs one raw SQL query and parses every row with `Row`, so the row type callers see is the schema's (z.infer),
 * never a cast. `query` names the query in the error thrown when a row does not match.
 */
export async function queryRows<Schema extends z.ZodType>(
  db: RawQueryable,
  query: string,
  Row: Schema,
  sql: Prisma.Sql,
): Promise<z.output<Schema>[]> {
  return parseRows(query, Row, await db.$queryRaw<unknown[]>(sql));
}

/** The first row, or null when the query returned none. */
export async function queryFirstRow<Schema extends z.ZodType>(
  db: RawQueryable,
  query: string,
  Row: Schema,
  sql: Prisma.Sql,
): Promise<z.output<Schema> | null> {
  return (await queryRows(db, query, Row, sql))[0] ?? null;
}

/** Parses rows from any driver (Prisma's raw queries, node-postgres) with the same error. */
export function parseRows<Schema extends z.ZodType>(query: string, Row: Schema, rows: readonly unknown[]): z.output<Schema>[] {
  const parsed: z.output<Schema>[] = new Array(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const result = Row.safeParse(rows[index]);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new RowShapeError(query, index, issue?.path.map(String).join(".") || "(row)", issue?.message ?? "does not match");
    }
    parsed[index] = result.data;
  }
  return parsed;
}
