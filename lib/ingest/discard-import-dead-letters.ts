import type { Db } from "@/lib/db/client.ts";

/**
 * Deletes the dead letters an import produced and has not had reprocessed: support's answer to a file imported in
 * the wrong format. Returns how many went; the import run keeps its counts as the record of what happened.
 */
export async function discardImportDeadLetters(db: Db, importRunId: bigint): Promise<{ found: boolean; discarded: number }> {
  const run = await db.importRun.findUnique({ where: { id: importRunId }, select: { id: true } });
  if (!run) return { found: false, discarded: 0 };
  const discarded = await db.$executeRaw`
    DELETE FROM dead_letters d
    WHERE d.import_run_id = ${importRunId}
      AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = d.id)`;
  return { found: true, discarded };
}
