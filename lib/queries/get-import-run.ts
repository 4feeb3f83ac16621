import type { Db } from "@/lib/db/client.ts";
import { importRunState } from "@/lib/ingest/import-run-state.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

/**
 * One import run and its progress, both from its row (whichever process imports the file); errors quote the file,
 * so they are redacted.
 */
export async function getImportRun(db: Db, id: bigint, now = new Date()) {
  const run = await db.importRun.findUnique({ where: { id } });
  if (!run) return null;
  const error = run.error === null ? null : redactSecrets(run.error);
  return {
    run: { ...run, fileName: redactSecrets(run.fileName), error },
    progress: {
      state: importRunState(run, now),
      bytesRead: Number(run.bytesRead),
      totalBytes: Number(run.bytes),
      records: Number(run.recordsDone),
      inserted: Number(run.eventsInserted),
      duplicates: Number(run.duplicates),
      deadLetters: Number(run.deadLetters),
      progressWriteFailures: run.progressWriteFailures,
      error,
    },
  };
}
