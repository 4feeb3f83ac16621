import { getReadDb } from "@/lib/db/read-replica.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listTopDroppingDevices } from "@/lib/queries/list-top-dropping-devices.ts";
import { TopDevicesQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** Devices with the most unrequested disconnects and failed connects; the window is capped at 7 days. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, TopDevicesQuerySchema);
  const range = requireTimeRange(query, DAY_IN_MS);
  if (range.to.getTime() - range.from.getTime() > 7 * DAY_IN_MS) {
    throw new AppError(400, "invalid_query", "the range from..to must be at most 7 days for top devices");
  }
  const devices = await listTopDroppingDevices(await getReadDb(), { ...range, limit: query.limit });
  return createJsonResponse({ ...range, devices });
});
