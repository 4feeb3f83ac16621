import type { Db } from "@/lib/db/client.ts";
import { getLiveImport } from "@/lib/ingest/import-uploads.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

/** One import run and, while this process runs it, its live progress; errors quote the file, so both are redacted. */
export async function getImportRun(db: Db, id: bigint) {
  const run = await db.importRun.findUnique({ where: { id } });
  if (!run) return null;
  const progress = getLiveImport(id.toString());
  return {
    run: { ...run, fileName: redactSecrets(run.fileName), error: run.error === null ? null : redactSecrets(run.error) },
    progress: progress === null ? null : { ...progress, error: progress.error === null ? null : redactSecrets(progress.error) },
  };
}
