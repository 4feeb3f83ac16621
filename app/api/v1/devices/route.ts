import { getReadDb } from "@/lib/db/read-replica.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";
import { DeviceListQuerySchema } from "@/lib/http/api-contract/devices.ts";

/** The device list: search, filters, sort; keyset-paged, with the total number of matches on the first page. */
export const GET = handleRoute(async (request: Request) => {
  const input = parseQuery(request, DeviceListQuerySchema);
  const page = await searchDevices(await getReadDb(), { ...input, includeTotal: input.cursor === undefined });
  return createJsonResponse(page);
});
