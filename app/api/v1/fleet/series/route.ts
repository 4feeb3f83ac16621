import { getReadDb } from "@/lib/db/read-replica.ts";
import { FleetQuerySchema, requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { getFleetSeries } from "@/lib/fleet/get-fleet-series.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Connected devices and disconnects by reason per automatically chosen interval (≤ 200 points). */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, FleetQuerySchema);
  return createJsonResponse(await getFleetSeries(await getReadDb(), { ...requireFleetRange(query), filter: toFleetFilter(query) }));
});
