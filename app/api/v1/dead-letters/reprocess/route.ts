import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { reprocessDeadLetters } from "@/lib/ingest/reprocess-dead-letters.ts";
import { DEAD_LETTERS_REPROCESS_ROLE } from "@/lib/queries/list-dead-letters.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { ReprocessBodySchema } from "@/lib/http/api-contract/ingest.ts";

export const POST = handleRoute({ role: DEAD_LETTERS_REPROCESS_ROLE }, async (request: Request, _context: unknown, auth) => {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new AppError(400, "invalid_json", "The body must be JSON, e.g. {} or {\"source\": \"aws-iot\"}.");
  }
  const input = parseInput(ReprocessBodySchema, body);
  const db = getDb();
  const result = await reprocessDeadLetters(db, { source: input.source, ids: input.ids?.map((id) => BigInt(id)), limit: input.limit });
  await recordAuditEvent(db, { action: "dead_letters.reprocessed", actor: auth.actor, ip: auth.ip, details: { source: input.source ?? null, examined: result.examined, resolved: result.resolved } });
  // Adapter errors quote the input they could not read.
  return createJsonResponse(redactSecrets(result));
});
