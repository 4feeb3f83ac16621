import { getReadDb } from "@/lib/db/read-replica.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";

export const GET = handleRoute(async (request: Request) => {
  const range = requireTimeRange(parseQuery(request, RangeQuerySchema), DAY_IN_MS);
  return createJsonResponse(await getFleetSummary(await getReadDb(), range));
});
