import { RolloutQuerySchema } from "@/lib/cohorts/cohort-params.ts";
import { getFirmwareRollout, listFirmwareRollouts } from "@/lib/cohorts/get-rollout.ts";
import { getDb } from "@/lib/db/client.ts";
import { toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Versions devices moved to, and for one of them (default: the latest rollout) each device's drops before and after its move. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, RolloutQuerySchema);
  const db = getDb();
  const versions = await listFirmwareRollouts(db);
  const firmware = query.firmware ?? versions[0]?.firmware;
  const rollout =
    firmware === undefined ? null : await getFirmwareRollout(db, { firmware, spanHours: query.hours, filter: toFleetFilter(query) });
  return createJsonResponse({ versions, rollout });
});
