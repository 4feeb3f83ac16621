import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

/** Monthly range-partitioned tables (decision 026) and which retention period drops their months. */
export const PARTITIONED_TABLES = [
  { table: "connection_events", keyColumn: "occurred_at", keptFor: "events" },
  { table: "device_drop_minute", keyColumn: "bucket", keptFor: "events" },
  { table: "device_reason_minute", keyColumn: "bucket", keptFor: "hourlyRollups" },
] as const;

export type PartitionedTable = (typeof PARTITIONED_TABLES)[number]["table"];

/** Months created ahead of the current one, so inserts never land in the default partition in normal operation. */
export const MONTHS_AHEAD = 2;

export function startOfUtcMonth(at: Date, addMonths = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + addMonths, 1));
}

/**
 * Creates the month partitions of `table` for the previous month through MONTHS_AHEAD months after `now`, and for
 * every month that has rows waiting in the default partition (late or imported history) from `oldestKept` on.
 * Idempotent; callers serialise concurrent runs (two CREATE TABLEs of one month would race).
 */
export async function ensureMonthPartitions(db: Db, table: PartitionedTable, now: Date, oldestKept: Date): Promise<string[]> {
  const months = new Map<number, Date>();
  for (let offset = -1; offset <= MONTHS_AHEAD; offset++) {
    const month = startOfUtcMonth(now, offset);
    months.set(month.getTime(), month);
  }
  for (const month of await listDefaultPartitionMonths(db, table, oldestKept)) months.set(month.getTime(), month);

  const created: string[] = [];
  for (const month of [...months.values()].sort((a, b) => a.getTime() - b.getTime())) {
    const rows = await queryRows(
      db,
      "ensureMonthPartition",
      z.object({ created: z.boolean() }),
      Prisma.sql`SELECT linkscope_ensure_month_partition(${table}, ${month}::timestamptz) AS created`,
    );
    if (rows[0]?.created) created.push(partitionName(table, month));
  }
  return created;
}

/** Drops the month partitions of `table` that end at or before `cutoff` (and older rows of its default partition). */
export async function dropMonthPartitionsBefore(db: Db, table: PartitionedTable, cutoff: Date): Promise<string[]> {
  const rows = await queryRows(
    db,
    "dropMonthPartitionsBefore",
    z.object({ name: z.string() }),
    Prisma.sql`SELECT linkscope_drop_month_partitions_before(${table}, ${cutoff}::timestamptz) AS name`,
  );
  return rows.map((row) => row.name);
}

const MonthRowSchema = z.object({ month: SqlDate });

export type MonthPartition = { table: string; name: string; from: Date; to: Date; estimatedRows: number | null; bytes: number };

/**
 * Every month partition with its range, an estimate of its rows and its size on disk (tables and indexes). The
 * estimate is the larger of the planner's (`reltuples`, -1 until the first VACUUM or ANALYZE, and never refreshed on
 * the embedded database, which has no autovacuum) and the statistics' live-row count (kept at every write, lost with
 * the statistics after a crash); null when neither knows.
 */
export async function listMonthPartitions(db: Db): Promise<MonthPartition[]> {
  const rows = await queryRows(
    db,
    "listMonthPartitions",
    z.object({ table: z.string(), name: z.string(), estimatedRows: z.number().nullable(), bytes: SqlBigInt }),
    Prisma.sql`
    SELECT p.relname::text AS "table", c.relname::text AS name,
           NULLIF(GREATEST(c.reltuples, COALESCE(s.n_live_tup, -1)), -1)::float8 AS "estimatedRows",
           pg_total_relation_size(c.oid) AS bytes
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE p.relname::text IN (${PARTITIONED_TABLES[0].table}, ${PARTITIONED_TABLES[1].table}, ${PARTITIONED_TABLES[2].table})
      AND c.relnamespace = p.relnamespace
    ORDER BY 1, 2`,
  );
  return rows.flatMap((row) => {
    const month = monthOfPartitionName(row.name);
    if (!month) return [];
    return [
      {
        table: row.table,
        name: row.name,
        from: month,
        to: startOfUtcMonth(month, 1),
        estimatedRows: row.estimatedRows,
        bytes: Number(row.bytes),
      },
    ];
  });
}

export function partitionName(table: string, month: Date): string {
  return `${table}_p${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

function monthOfPartitionName(name: string): Date | null {
  const match = /_p(\d{4})(\d{2})$/.exec(name);
  if (!match) return null;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}

async function listDefaultPartitionMonths(db: Db, table: PartitionedTable, oldestKept: Date): Promise<Date[]> {
  // The default partition stays small (months are created ahead), so this scan is cheap.
  const rows =
    table === "connection_events"
      ? await queryRows(
          db,
          "listDefaultPartitionMonths",
          MonthRowSchema,
          Prisma.sql`
          SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
          FROM connection_events_default WHERE occurred_at >= ${oldestKept}`,
        )
      : table === "device_drop_minute"
        ? await queryRows(
            db,
            "listDefaultPartitionMonths",
            MonthRowSchema,
            Prisma.sql`
            SELECT DISTINCT date_trunc('month', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
            FROM device_drop_minute_default WHERE bucket >= ${oldestKept}`,
          )
        : await queryRows(
            db,
            "listDefaultPartitionMonths",
            MonthRowSchema,
            Prisma.sql`
            SELECT DISTINCT date_trunc('month', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
            FROM device_reason_minute_default WHERE bucket >= ${oldestKept}`,
          );
  return rows.map((row) => row.month);
}
