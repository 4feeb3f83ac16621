import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { reprocessDeadLetters } from "@/lib/ingest/reprocess-dead-letters.ts";
import { DEAD_LETTERS_REPROCESS_ROLE } from "@/lib/queries/list-dead-letters.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { ReprocessBodySchema } from "@/lib/http/api-contract/ingest.ts";

export const POST = handleRoute({ role: DEAD_LETTERS_REPROCESS_ROLE }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, ReprocessBodySchema);
  const db = getDb();
  const result = await reprocessDeadLetters(db, { source: input.source, ids: input.ids?.map((id) => BigInt(id)), limit: input.limit });
  await recordAuditEvent(db, {
    action: "dead_letters.reprocessed",
    actor: auth.actor,
    ip: auth.ip,
    details: { source: input.source ?? null, examined: result.examined, resolved: result.resolved },
  });
  // Adapter errors quote the input they could not read.
  return createJsonResponse(redactSecrets(result));
});
