import { endAlertSilence } from "@/lib/alerts/alert-silences.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

/** Ends a silence early. */
export const POST = handleRoute({ role: "support" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  return createJsonResponse({ silence: await endAlertSilence(getDb(), id, auth) });
});
