import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { createLimitParamSchema, DeviceSearchCursorParamSchema } from "@/lib/http/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";

const DeviceSearchQuerySchema = z.object({
  query: z.string().max(512, "must be at most 512 characters").optional(),
  state: z.enum(["online", "offline", "unknown"], { error: "must be one of online, offline, unknown" }).optional(),
  limit: createLimitParamSchema(50, 200),
  cursor: DeviceSearchCursorParamSchema.optional(),
});

export const GET = handleRoute(async (request: Request) => {
  const input = parseQuery(request, DeviceSearchQuerySchema);
  const page = await searchDevices(getDb(), input);
  return createJsonResponse(page);
});
