import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { createLimitParamSchema } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listAuditEvents } from "@/lib/queries/list-audit-events.ts";

const AuditQuerySchema = z.object({
  limit: createLimitParamSchema(100, 500),
  before: z.string().regex(/^\d{1,19}$/, "must be an audit event ID").transform(BigInt).optional(),
  action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, "must be an action such as auth.sign_in").optional(),
});

export const GET = handleRoute({ role: "admin" }, async (request) => {
  const input = parseQuery(request, AuditQuerySchema);
  const page = await listAuditEvents(getDb(), { limit: input.limit, beforeId: input.before, action: input.action });
  return createJsonResponse({ events: page.events, nextBefore: page.nextBeforeId });
});
