import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createIncidentNotFoundError } from "@/lib/incidents/require-incident.ts";
import { addIncidentNote } from "@/lib/incidents/incidents.ts";
import { IncidentNoteSchema } from "@/lib/incidents/incident-schemas.ts";

type Context = { params: Promise<{ id: string }> };

export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const input = await readJsonBody(request, IncidentNoteSchema);
  const note = await addIncidentNote(getDb(), { incidentId: id, body: input.body }, auth);
  if (!note) throw createIncidentNotFoundError(id);
  return createJsonResponse({ note }, { status: 201 });
});
