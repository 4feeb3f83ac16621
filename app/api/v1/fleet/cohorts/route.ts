import { CohortListQuerySchema } from "@/lib/cohorts/cohort-params.ts";
import { formatCohortDimension } from "@/lib/cohorts/cohort-dimension.ts";
import { listCohorts } from "@/lib/cohorts/list-cohorts.ts";
import { getDb } from "@/lib/db/client.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Drops and refusals per device-hour and connected share by firmware, region, network or label, each cohort against the rest. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, CohortListQuerySchema);
  const range = requireFleetRange(query);
  const cohorts = await listCohorts(getDb(), { ...range, by: query.by, filter: toFleetFilter(query) });
  return createJsonResponse({ ...range, by: formatCohortDimension(query.by), ...cohorts });
});
