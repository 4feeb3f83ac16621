import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

/**
 * ANALYZEs the tables whose statistics are missing or stale when no autovacuum launcher runs (the embedded database:
 * PGlite is one backend, so nothing ever analyzes and the planner works from default estimates). Stale means
 * autovacuum's own default threshold: 50 rows plus 10 % of the table changed since the last ANALYZE. On a Postgres
 * server with autovacuum this does nothing. Returns the tables analyzed.
 */
export async function analyzeWithoutAutovacuum(db: Db): Promise<string[]> {
  const [launcher] = await queryRows(
    db,
    "autovacuumLauncherRuns",
    z.object({ runs: z.boolean() }),
    Prisma.sql`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher') AS runs`,
  );
  if (launcher?.runs) return [];
  // Counted only after the ANALYZE below, recent writes would make a table look changed since, and every pass would
  // analyze it again; published before the list, they count toward this pass's decision.
  await publishTableCounters(db);
  const stale = await queryRows(
    db,
    "listTablesToAnalyze",
    z.object({ name: z.string() }),
    Prisma.sql`
    SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS name
    FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND ((last_analyze IS NULL AND last_autoanalyze IS NULL)
        OR n_mod_since_analyze >= 50 + 0.1 * GREATEST(n_live_tup, 0))
    ORDER BY relname`,
  );
  // One statement per table: the embedded database serves every other connection between them.
  for (const { name } of stale) await db.$executeRawUnsafe(`ANALYZE ${name}`);
  return stale.map(({ name }) => name);
}

/**
 * Postgres publishes a backend's table counters (rows changed, read) at most once a second; this publishes what is
 * pending when the statement ends, so the next statement's pg_stat_user_tables counts every earlier write.
 */
export async function publishTableCounters(db: Db): Promise<void> {
  await db.$executeRaw`SELECT pg_stat_force_next_flush()`;
}
