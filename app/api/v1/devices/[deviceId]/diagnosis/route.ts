import { getReadDb } from "@/lib/db/read-replica.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { deviceExists } from "@/lib/queries/device-exists.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { DIAGNOSIS_WINDOW_MS } from "@/lib/queries/load-diagnosis-input.ts";
import { redactStrings } from "@/lib/security/redact.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";

export const GET = handleRoute(async (request: Request, context: { params: Promise<{ deviceId: string }> }) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const range = requireTimeRange(parseQuery(request, RangeQuerySchema), DIAGNOSIS_WINDOW_MS);
  const db = await getReadDb();
  if (!(await deviceExists(db, deviceId))) throw createDeviceNotFoundError(deviceId);
  // Findings quote agent reports and vendor messages.
  return createJsonResponse(redactStrings(await getDeviceDiagnosis(db, { deviceId, ...range })));
});
