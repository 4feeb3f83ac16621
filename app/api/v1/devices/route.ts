import { getDb } from "@/lib/db/client.ts";
import { DeviceListParamsSchema } from "@/lib/devices/device-list-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { createLimitParamSchema, DeviceListCursorParamSchema } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";

const DeviceListQuerySchema = DeviceListParamsSchema.extend({
  limit: createLimitParamSchema(50, 200),
  cursor: DeviceListCursorParamSchema.optional(),
});

/** The device list: search, filters, sort; keyset-paged, with the total number of matches on the first page. */
export const GET = handleRoute(async (request: Request) => {
  const input = parseQuery(request, DeviceListQuerySchema);
  const page = await searchDevices(getDb(), { ...input, includeTotal: input.cursor === undefined });
  return createJsonResponse(page);
});
