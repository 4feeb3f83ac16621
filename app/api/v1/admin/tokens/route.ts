import { createApiToken, CreateApiTokenSchema, listApiTokens } from "@/lib/auth/api-tokens.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute({ role: "admin" }, async () => {
  return createJsonResponse({ tokens: await listApiTokens(getDb()) });
});

/** The only response that ever contains the token; it is stored as a hash. */
export const POST = handleRoute({ role: "admin" }, async (request, _context, { actor, ip }) => {
  const input = await readJsonBody(request, CreateApiTokenSchema);
  const { token, apiToken } = await createApiToken(getDb(), input, actor, ip);
  return createJsonResponse({ token, apiToken }, { status: 201 });
});
