import { getReadDb } from "@/lib/db/read-replica.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { DeviceEventsQuerySchema } from "@/lib/http/api-contract/devices.ts";

export const GET = handleRoute(async (request: Request, context: { params: Promise<{ deviceId: string }> }) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const query = parseQuery(request, DeviceEventsQuerySchema);
  const range = requireTimeRange(query, 7 * DAY_IN_MS);
  const db = await getReadDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const page = await listDeviceEvents(db, { deviceId, ...range, limit: query.limit, cursor: query.cursor, kinds: query.kind });
  return createJsonResponse({ deviceId, ...range, ...page });
});
