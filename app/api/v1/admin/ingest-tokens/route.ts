import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createIngestToken, CreateIngestTokenSchema, listIngestTokens } from "@/lib/ingest/ingest-tokens.ts";

export const GET = handleRoute({ role: "admin" }, async () => {
  return createJsonResponse({ ingestTokens: await listIngestTokens(getDb()) });
});

/** The only response that ever contains the token; it is stored as a hash. */
export const POST = handleRoute({ role: "admin" }, async (request, _context, { actor, ip }) => {
  const input = await readJsonBody(request, CreateIngestTokenSchema);
  const { token, ingestToken } = await createIngestToken(getDb(), input, actor, ip);
  return createJsonResponse({ ingestToken, token }, { status: 201 });
});
