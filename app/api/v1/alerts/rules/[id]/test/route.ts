import { resolvePublicBaseUrl } from "@/lib/alerts/alert-notification.ts";
import { testFireAlertRule } from "@/lib/alerts/test-fire-alert-rule.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

/** Sends a test notification to each of the rule's channels now and answers with the history row and its deliveries. */
export const POST = handleRoute({ role: "support" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const history = await testFireAlertRule(getDb(), id, auth, { publicBaseUrl: resolvePublicBaseUrl(process.env) });
  return createJsonResponse({ history, delivered: history.deliveries.every((delivery) => delivery.status === "delivered") });
});
