import { getReadDb } from "@/lib/db/read-replica.ts";
import { createDeviceNotFoundError, parseDeviceIdParam } from "@/lib/http/device-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getDevice } from "@/lib/queries/get-device.ts";

export const GET = handleRoute(async (_request: Request, context: { params: Promise<{ deviceId: string }> }) => {
  const deviceId = await parseDeviceIdParam(context.params);
  const device = await getDevice(await getReadDb(), deviceId);
  if (!device) throw createDeviceNotFoundError(deviceId);
  return createJsonResponse({ device });
});
