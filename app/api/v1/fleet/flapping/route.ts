import { getReadDb } from "@/lib/db/read-replica.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { listFlappingDevices } from "@/lib/fleet/list-flapping-devices.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { FlappingQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** Devices with the most drops per hour in the range. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, FlappingQuerySchema);
  const range = requireFleetRange(query);
  const devices = await listFlappingDevices(await getReadDb(), { ...range, filter: toFleetFilter(query), limit: query.limit });
  return createJsonResponse({ ...range, devices });
});
