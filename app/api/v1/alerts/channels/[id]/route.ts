import { UpdateAlertChannelSchema } from "@/lib/alerts/channels/alert-channel-schemas.ts";
import { deleteAlertChannel, updateAlertChannel } from "@/lib/alerts/channels/alert-channels.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

/** A secret left out or empty keeps the stored one. */
export const PATCH = handleRoute({ role: "admin" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const patch = await readJsonBody(request, UpdateAlertChannelSchema);
  return createJsonResponse({ channel: await updateAlertChannel(getDb(), id, patch, auth) });
});

export const DELETE = handleRoute({ role: "admin" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  await deleteAlertChannel(getDb(), id, auth);
  return new Response(null, { status: 204 });
});
