import { getReadDb } from "@/lib/db/read-replica.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { DEFAULT_SPAN_MS } from "@/lib/http/device-range.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { getDeviceFunnel } from "@/lib/queries/get-device-funnel.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";

/** The device's connection attempts in the range by the stage they reached, with a one-line reading. */
export const GET = handleRoute(async (request: Request, context: { params: Promise<{ deviceId: string }> }) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const range = requireTimeRange(parseQuery(request, RangeQuerySchema), DEFAULT_SPAN_MS);
  const db = await getReadDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  return createJsonResponse(await getDeviceFunnel(db, { deviceId, ...range }));
});
