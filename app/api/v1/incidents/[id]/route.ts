import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createIncidentNotFoundError } from "@/lib/incidents/require-incident.ts";
import { getIncident } from "@/lib/incidents/incidents.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const { id } = await context.params;
  const incident = await getIncident(getDb(), id);
  if (!incident) throw createIncidentNotFoundError(id);
  return createJsonResponse({ incident });
});
