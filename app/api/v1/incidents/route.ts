import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listIncidents } from "@/lib/incidents/incidents.ts";
import { ManualIncidentSchema } from "@/lib/incidents/incident-schemas.ts";
import { createManualIncident } from "@/lib/incidents/record-incidents.ts";

export const GET = handleRoute(async () => createJsonResponse({ incidents: await listIncidents(getDb()) }));

/** A manual incident: every device that dropped in [from, to], optionally only from one source or with one reason. */
export const POST = handleRoute({ role: "support" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, ManualIncidentSchema);
  const created = await createManualIncident(getDb(), input, auth);
  return createJsonResponse(created, { status: 201 });
});
