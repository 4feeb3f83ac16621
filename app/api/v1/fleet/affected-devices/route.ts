import { getReadDb } from "@/lib/db/read-replica.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { listAffectedDevices } from "@/lib/fleet/list-affected-devices.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { AffectedDevicesQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** The devices behind one breakdown row (a reason or a code) in the range, most affected first. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, AffectedDevicesQuerySchema);
  const range = requireFleetRange(query);
  const key = query.by === "code" && query.key === "" ? null : query.key;
  const result = await listAffectedDevices(await getReadDb(), {
    by: query.by,
    key,
    ...range,
    filter: toFleetFilter(query),
    limit: query.limit,
  });
  return createJsonResponse({ ...range, by: query.by, key, ...result });
});
