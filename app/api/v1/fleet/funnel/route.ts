import { getReadDb } from "@/lib/db/read-replica.ts";
import { getFleetFunnel } from "@/lib/fleet/get-fleet-funnel.ts";
import { FleetQuerySchema, requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** The fleet's connection attempts by the stage they reached, from the rollups by code; fleet filters optional. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, FleetQuerySchema);
  return createJsonResponse(await getFleetFunnel(await getReadDb(), { ...requireFleetRange(query), filter: toFleetFilter(query) }));
});
