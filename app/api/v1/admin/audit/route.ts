import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listAuditEvents } from "@/lib/queries/list-audit-events.ts";
import { AuditQuerySchema } from "@/lib/http/api-contract/admin.ts";

export const GET = handleRoute({ role: "admin" }, async (request) => {
  const input = parseQuery(request, AuditQuerySchema);
  const page = await listAuditEvents(getDb(), { limit: input.limit, beforeId: input.before, action: input.action });
  return createJsonResponse({ events: page.events, nextBefore: page.nextBeforeId });
});
