import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { addIncidentNote } from "@/lib/incidents/incidents.ts";
import { IncidentNoteSchema } from "@/lib/incidents/incident-schemas.ts";

type Context = { params: Promise<{ id: string }> };

export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const input = await readJsonBody(request, IncidentNoteSchema);
  const note = await addIncidentNote(getDb(), { incidentId: id, body: input.body }, auth);
  if (!note) throw new AppError(404, "incident_not_found", `No incident ${id}.`);
  return createJsonResponse({ note }, { status: 201 });
});
