import { getReadDb } from "@/lib/db/read-replica.ts";
import { CodeSearchSchema } from "@/lib/knowledge/code-params.ts";
import { searchKnowledge } from "@/lib/knowledge/knowledge-base.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listCodeCounts } from "@/lib/queries/list-code-counts.ts";
import { CODE_TREND_WINDOW_MS } from "@/lib/queries/get-code-details.ts";

export const GET = handleRoute(async (request: Request) => {
  const search = parseQuery(request, CodeSearchSchema);
  const to = new Date();
  const counts = await listCodeCounts(await getReadDb(), { from: new Date(to.getTime() - CODE_TREND_WINDOW_MS), to });
  const codes = searchKnowledge(search).map((entry) => ({ ...entry, fleetCount14d: counts.get(entry.code) ?? 0 }));
  return createJsonResponse({ total: codes.length, codes });
});
