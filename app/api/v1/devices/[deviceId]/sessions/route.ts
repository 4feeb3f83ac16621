import { getReadDb } from "@/lib/db/read-replica.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";

export const GET = handleRoute(async (request: Request, context: { params: Promise<{ deviceId: string }> }) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const range = requireTimeRange(parseQuery(request, RangeQuerySchema), 7 * DAY_IN_MS);
  const db = await getReadDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  const result = await listDeviceSessions(db, { deviceId, ...range });
  return createJsonResponse({ deviceId, ...range, ...result });
});
