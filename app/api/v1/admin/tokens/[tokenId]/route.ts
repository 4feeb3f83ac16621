import { revokeApiToken } from "@/lib/auth/api-tokens.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { ApiTokenParamsSchema } from "@/lib/http/api-contract/admin.ts";

/** Revokes the token at once; revoking twice is harmless. */
export const DELETE = handleRoute({ role: "admin" }, async (_request, context: { params: Promise<{ tokenId: string }> }, { actor, ip }) => {
  const { tokenId } = parseInput(ApiTokenParamsSchema, await context.params, "invalid_path");
  return createJsonResponse({ apiToken: await revokeApiToken(getDb(), tokenId, actor, ip) });
});
