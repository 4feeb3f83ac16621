import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Who the caller is: a user or an API token, and its role. */
export const GET = handleRoute(async (_request, _context, { actor }) => {
  return createJsonResponse({ type: actor.type, id: actor.id, label: actor.label, role: actor.role });
});
