import { getReadDb } from "@/lib/db/read-replica.ts";
import { toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { listOfflineDevices } from "@/lib/fleet/list-offline-devices.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { OfflineQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** Devices offline now, longest first, with their last reason (current state: no time range). */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, OfflineQuerySchema);
  return createJsonResponse(await listOfflineDevices(await getReadDb(), { filter: toFleetFilter(query), limit: query.limit }));
});
