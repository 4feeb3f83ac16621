import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { publishTableCounters } from "@/lib/storage/analyze-without-autovacuum.ts";

/**
 * Leaves `connection_events`' partition for the month of `at` as an ANALYZE before its first rows committed leaves it
 * (decisions 063, 064): `reltuples = 0` over a page, so the planner estimates it empty however many rows it then gets,
 * until the next ANALYZE. Autovacuum is turned off for that partition, so only the code under test analyzes it again.
 * Returns the partition's name.
 */
export async function analyzeMonthAsEmpty(db: Db, at: Date): Promise<string> {
  const month = `connection_events_p${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
  const dedupeKey = `stale-statistics-${at.getTime()}`;
  await db.$executeRawUnsafe(`ALTER TABLE ${month} SET (autovacuum_enabled = false)`);
  await db.$executeRaw`
    INSERT INTO connection_events (device_id, kind, occurred_at, reason, initiator, source, dedupe_key, raw)
    VALUES ('stale-statistics', 'connected', ${at}, 'connected', 'client', 'aws-iot', ${dedupeKey}, '{}')`;
  await db.$executeRaw`DELETE FROM connection_events WHERE dedupe_key = ${dedupeKey}`;
  await db.$executeRawUnsafe(`ANALYZE ${month}`);
  return month;
}

/** The rows the planner expects in `table` (pg_class.reltuples): 0 after an ANALYZE that saw none. */
export async function plannedRows(db: Db, table: string): Promise<number> {
  const [row] = await queryRows(
    db,
    "plannedRows",
    z.object({ reltuples: z.coerce.number() }),
    Prisma.sql`SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = ${table}::regclass`,
  );
  if (!row) throw new Error(`no table ${table}`);
  return row.reltuples;
}

/**
 * Rows read from `table` by sequential scans plus entries read from its indexes, as flushed by this connection's
 * backend: give `db` one connection, so the counters include every statement it ran.
 */
export async function rowsReadFrom(db: Db, table: string): Promise<number> {
  await publishTableCounters(db);
  await db.$queryRaw`SELECT pg_stat_clear_snapshot()::text`;
  const [row] = await queryRows(
    db,
    "rowsReadFrom",
    z.object({ read: z.coerce.number() }),
    Prisma.sql`
    SELECT t.seq_tup_read + COALESCE((SELECT SUM(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = t.relid), 0) AS read
    FROM pg_stat_user_tables t WHERE t.relid = ${table}::regclass`,
  );
  return row?.read ?? 0;
}
