import { Prisma, type Db } from "@/lib/db/client.ts";
import { importRunState } from "@/lib/ingest/import-run-state.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlCount } from "@/lib/db/sql-values.ts";

/**
 * The newest import runs with how many of their dead letters are still open (not reprocessed, not discarded); an
 * import's error quotes the file, so it is redacted like any payload.
 */
export async function listImportRuns(db: Db, limit: number, now = new Date()) {
  const runs = await db.importRun.findMany({ orderBy: { id: "desc" }, take: limit });
  const open =
    runs.length === 0
      ? []
      : await queryRows(
          db,
          "listImportRuns.open",
          z.object({ importRunId: SqlBigInt, open: SqlCount }),
          Prisma.sql`
    SELECT d.import_run_id AS "importRunId", count(*) AS open
    FROM dead_letters d
    WHERE d.import_run_id = ANY(${runs.map((run) => run.id)}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = d.id)
    GROUP BY d.import_run_id`,
        );
  const openByRun = new Map(open.map((row) => [row.importRunId.toString(), row.open]));
  return runs.map((run) => ({
    ...run,
    status: importRunState(run, now),
    fileName: redactSecrets(run.fileName),
    error: run.error === null ? null : redactSecrets(run.error),
    openDeadLetters: openByRun.get(run.id.toString()) ?? 0,
  }));
}
