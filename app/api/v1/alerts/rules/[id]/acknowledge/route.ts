import { acknowledgeAlert } from "@/lib/alerts/acknowledge-alert.ts";
import { AcknowledgeAlertSchema } from "@/lib/alerts/alert-quiet-schemas.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

/** Acknowledges the rule's firing alerts (body `{ subject }` for one device): no reminders until they resolve. */
export const POST = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const input = await readJsonBody(request, AcknowledgeAlertSchema);
  return createJsonResponse(await acknowledgeAlert(getDb(), id, input, auth));
});
