import { resolvePublicBaseUrl } from "@/lib/alerts/alert-notification.ts";
import { sendAlertChannelTest } from "@/lib/alerts/channels/send-channel-test.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

/** Sends one test notification through the channel now and answers the outcome (never the URL or keys). */
export const POST = handleRoute({ role: "admin" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  return createJsonResponse({
    result: await sendAlertChannelTest(getDb(), id, auth, { publicBaseUrl: resolvePublicBaseUrl(process.env) }),
  });
});
