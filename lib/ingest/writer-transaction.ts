import type pg from "pg";
import type { z } from "zod";
import { parseRows } from "@/lib/db/query-rows.ts";
import { getPgPool, type Db, type Prisma } from "@/lib/db/client.ts";

/** The writer's transaction: Prisma.Sql statements run as they are on one node-postgres connection. */
export type WriterTx = {
  /** Runs `statement` and parses every row with `Row` (lib/db/query-rows.ts); `query` names it in errors. */
  rows<Schema extends z.ZodType>(query: string, Row: Schema, statement: Prisma.Sql): Promise<z.output<Schema>[]>;
  $executeRaw(statement: Prisma.Sql): Promise<number>;
};

/**
 * Every writer statement looks rows up by the batch's keys. Without fresh statistics (a growing fleet, autovacuum
 * late or off) the planner's estimates grow with the tables: it hashes a whole table instead of probing its index
 * once per batch row, and past jit_above_cost spends seconds compiling a statement that runs in milliseconds, so a
 * batch cost more the larger the fleet (decision 041). Index probes are the right plan for every statement here.
 */
const BEGIN_WRITER_TRANSACTION = "BEGIN; SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off";

/**
 * Runs `work` in one transaction on a connection of the client's own pool. The bulk statements carry a few large
 * array parameters; Prisma's raw-query path spends more CPU on those than Postgres does on the rows (decision 024).
 */
export function inWriterTransaction<T>(db: Db, work: (tx: WriterTx) => Promise<T>): Promise<T> {
  return inPoolTransaction(db, BEGIN_WRITER_TRANSACTION, (client) => work(toWriterTx(client)));
}

/**
 * Runs `statement` in its own short transaction, committed without waiting for the WAL flush. Only for rows the batch's
 * transaction writes again when they are missing: WAL is flushed in order, so they are durable once that batch commits,
 * and a crash before it loses nothing the batch's retry does not write again (decision 050).
 */
export async function commitAhead(db: Db, statement: Prisma.Sql): Promise<void> {
  await inPoolTransaction(db, `${BEGIN_WRITER_TRANSACTION}; SET LOCAL synchronous_commit = off`, async (client) => {
    await client.query(statement.text, statement.values);
  });
}

async function inPoolTransaction<T>(db: Db, begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPgPool(db).connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    // A connection that could not even roll back is discarded rather than returned to the pool.
    client.release(broken);
  }
}

function toWriterTx(client: pg.PoolClient): WriterTx {
  return {
    async rows(query, Row, statement) {
      return parseRows(query, Row, (await client.query(statement.text, statement.values)).rows);
    },
    async $executeRaw(statement: Prisma.Sql) {
      return (await client.query(statement.text, statement.values)).rowCount ?? 0;
    },
  };
}
