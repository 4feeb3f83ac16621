import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { revokeShareLink } from "@/lib/share/share-links.ts";
import { IncidentShareLinkParamsSchema } from "@/lib/http/api-contract/incidents.ts";

/** Revokes the link at once: its next use answers the "revoked" page. Revoking twice is harmless. */
export const DELETE = handleRoute(
  { role: "support" },
  async (_request: Request, context: { params: Promise<{ id: string; linkId: string }> }, auth) => {
    const { id, linkId } = parseInput(IncidentShareLinkParamsSchema, await context.params, "invalid_path");
    return createJsonResponse({ shareLink: await revokeShareLink(getDb(), { incidentId: id, linkId, actor: auth.actor, ip: auth.ip }) });
  },
);
