import type { Db } from "@/lib/db/client.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

/** The newest import runs; an import's error quotes the file, so it is redacted like any payload. */
export async function listImportRuns(db: Db, limit: number) {
  const runs = await db.importRun.findMany({ orderBy: { id: "desc" }, take: limit });
  return runs.map((run) => ({ ...run, fileName: redactSecrets(run.fileName), error: run.error === null ? null : redactSecrets(run.error) }));
}
