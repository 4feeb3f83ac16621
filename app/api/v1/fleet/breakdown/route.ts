import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/http/parse-time-range.ts";
import { DAY_IN_MS, TimestampParamSchema } from "@/lib/http/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";

const FleetBreakdownQuerySchema = z.object({
  by: z.enum(["reason", "code"], { error: "must be reason or code" }).default("reason"),
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
});

export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, FleetBreakdownQuerySchema);
  const range = requireTimeRange(query, DAY_IN_MS);
  return createJsonResponse(await getFleetBreakdown(getDb(), { by: query.by, ...range }));
});
