import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlNumber } from "@/lib/db/sql-values.ts";

export type TableSize = { table: string; estimatedRows: number; bytes: number };

/**
 * Every table of the app's schema and of pg-boss's with its size on disk (indexes and TOAST included, a partitioned
 * table's partitions summed) and an estimate of its rows (the larger of the planner's and the statistics' counts),
 * largest first. pg-boss's tables are named `pgboss.<table>`.
 */
export async function listTableSizes(db: Db): Promise<TableSize[]> {
  return queryRows(
    db,
    "listTableSizes",
    z.object({ table: z.string(), estimatedRows: SqlNumber, bytes: SqlNumber }),
    Prisma.sql`
    SELECT CASE WHEN n.nspname = current_schema() THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS "table",
           COALESCE(SUM(GREATEST(leaf.reltuples, COALESCE(s.n_live_tup, 0), 0)), 0)::float8 AS "estimatedRows",
           COALESCE(SUM(pg_total_relation_size(leaf.oid)), 0)::float8 AS bytes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    -- pg_partition_tree lists nothing for a table outside partitioning: such a table is its own leaf.
    CROSS JOIN LATERAL (
      SELECT t.relid FROM pg_partition_tree(c.oid) t WHERE t.isleaf AND c.relkind = 'p'
      UNION ALL SELECT c.oid WHERE c.relkind = 'r'
    ) leaves(relid)
    JOIN pg_class leaf ON leaf.oid = leaves.relid
    LEFT JOIN pg_stat_all_tables s ON s.relid = leaf.oid
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN (current_schema(), 'pgboss')
    GROUP BY 1
    ORDER BY 3 DESC, 1`,
  );
}
