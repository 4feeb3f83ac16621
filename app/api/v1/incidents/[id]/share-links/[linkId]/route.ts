import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { revokeShareLink } from "@/lib/share/share-links.ts";

const ParamsSchema = z.object({ id: z.uuid({ error: "must be an incident ID" }), linkId: z.uuid({ error: "must be a share-link ID" }) });

/** Revokes the link at once: its next use answers the "revoked" page. Revoking twice is harmless. */
export const DELETE = handleRoute({ role: "support" }, async (_request: Request, context: { params: Promise<{ id: string; linkId: string }> }, auth) => {
  const { id, linkId } = parseInput(ParamsSchema, await context.params, "invalid_path");
  return createJsonResponse({ shareLink: await revokeShareLink(getDb(), { incidentId: id, linkId, actor: auth.actor, ip: auth.ip }) });
});
