import { getReadDb } from "@/lib/db/read-replica.ts";
import { requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { listNewCodes } from "@/lib/fleet/list-new-codes.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { NewCodesQuerySchema } from "@/lib/http/api-contract/fleet.ts";

/** Codes first seen in the range and never before it. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, NewCodesQuerySchema);
  const range = requireFleetRange(query);
  const codes = await listNewCodes(await getReadDb(), { ...range, filter: toFleetFilter(query), limit: query.limit });
  return createJsonResponse({ ...range, codes });
});
