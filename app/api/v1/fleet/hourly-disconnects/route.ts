import { getReadDb } from "@/lib/db/read-replica.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { requireTimeRange } from "@/lib/validation/parse-time-range.ts";
import { DAY_IN_MS } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listHourlyDisconnects } from "@/lib/queries/list-hourly-disconnects.ts";
import { shapeHourlyDisconnects } from "@/lib/queries/shape-hourly-disconnects.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";

/** Disconnects per UTC hour, stacked by reason (the overview chart). */
export const GET = handleRoute(async (request: Request) => {
  const range = requireTimeRange(parseQuery(request, RangeQuerySchema), DAY_IN_MS);
  const rows = await listHourlyDisconnects(await getReadDb(), range);
  return createJsonResponse({ ...range, ...shapeHourlyDisconnects(rows, range) });
});
