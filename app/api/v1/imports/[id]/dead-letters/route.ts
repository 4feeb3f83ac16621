import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { parseImportRunId } from "@/lib/http/import-run-id.ts";
import { discardImportDeadLetters } from "@/lib/ingest/discard-import-dead-letters.ts";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";

type Context = { params: Promise<{ id: string }> };

/** Discards the dead letters one import produced (e.g. a file imported in the wrong format). */
export const DELETE = handleRoute({ role: IMPORT_ROLE }, async (_request: Request, context: Context, auth) => {
  const id = parseImportRunId((await context.params).id);
  const db = getDb();
  const result = await discardImportDeadLetters(db, id);
  if (!result.found) throw new AppError(404, "import_not_found", `No import ${id}.`);
  await recordAuditEvent(db, {
    action: "import.dead_letters_discarded",
    actor: auth.actor,
    ip: auth.ip,
    details: { importRunId: id.toString(), discarded: result.discarded },
  });
  return createJsonResponse({ discarded: result.discarded });
});
