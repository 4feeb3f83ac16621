import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { revokeIngestToken } from "@/lib/ingest/ingest-tokens.ts";

/** Revokes the token at once: the next webhook call with it gets 401. 404 for an unknown or already revoked ID. */
export const DELETE = handleRoute({ role: "admin" }, async (_request, context: { params: Promise<{ tokenId: string }> }, { actor, ip }) => {
  const { tokenId } = await context.params;
  return createJsonResponse({ ingestToken: await revokeIngestToken(getDb(), tokenId, actor, ip) });
});
