import { CohortCompareQuerySchema } from "@/lib/cohorts/cohort-params.ts";
import { formatCohortDimension } from "@/lib/cohorts/cohort-dimension.ts";
import { compareCohortPair } from "@/lib/cohorts/list-cohorts.ts";
import { getDb } from "@/lib/db/client.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Cohort `a` against cohort `b` (or the rest of the fleet): rate ratios with intervals and the reasons that differ most. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, CohortCompareQuerySchema);
  const range = requireFleetRange(query);
  const comparison = await compareCohortPair(getDb(), {
    ...range,
    by: query.by,
    a: query.a,
    b: query.b ?? null,
    filter: toFleetFilter(query),
  });
  return createJsonResponse({ ...range, by: formatCohortDimension(query.by), ...comparison });
});
