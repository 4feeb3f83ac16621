import { getReadDb } from "@/lib/db/read-replica.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { FleetBreakdownQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** Disconnects and failed connects by reason or code, with share, sparkline and change; fleet filters optional. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, FleetBreakdownQuerySchema);
  const range = requireFleetRange(query);
  return createJsonResponse(await getFleetBreakdown(await getReadDb(), { by: query.by, ...range, filter: toFleetFilter(query) }));
});
