import { AlertHistoryQuerySchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { listAlertHistory } from "@/lib/alerts/list-alert-history.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute(async (request) => {
  const query = parseQuery(request, AlertHistoryQuerySchema);
  return createJsonResponse(await listAlertHistory(getDb(), query));
});
