import { getReadDb } from "@/lib/db/read-replica.ts";
import { listFilterOptions } from "@/lib/fleet/list-filter-options.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** The values each fleet filter can take (sources, broker nodes, firmware, regions, networks, labels). */
export const GET = handleRoute(async () => createJsonResponse(await listFilterOptions(await getReadDb())));
