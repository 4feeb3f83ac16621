import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getIncident } from "@/lib/incidents/incidents.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const { id } = await context.params;
  const incident = await getIncident(getDb(), id);
  if (!incident) throw new AppError(404, "incident_not_found", `No incident ${id}.`);
  return createJsonResponse({ incident });
});
