import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { requireIncident } from "@/lib/incidents/require-incident.ts";
import { buildSharePath, CreateIncidentShareLinkSchema } from "@/lib/share/share-link-input.ts";
import { createShareLink, listShareLinks } from "@/lib/share/share-links.ts";

type Context = { params: Promise<{ id: string }> };

/** The incident's share links, newest first, with status and visits; never tokens. */
export const GET = handleRoute({ role: "support" }, async (_request: Request, context: Context) => {
  const { id } = await context.params;
  const db = getDb();
  await requireIncident(db, id);
  return createJsonResponse({ incidentId: id, shareLinks: await listShareLinks(db, { incidentId: id }) });
});

/** Creates a read-only link to this incident; the token is in this response only. */
export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const input = await readJsonBody(request, CreateIncidentShareLinkSchema);
  const db = getDb();
  await requireIncident(db, id);
  const { link, token } = await createShareLink(db, {
    incidentId: id,
    expiresInHours: input.expiresInHours,
    actor: auth.actor,
    ip: auth.ip,
  });
  return createJsonResponse({ shareLink: link, token, path: buildSharePath(token) }, { status: 201 });
});
