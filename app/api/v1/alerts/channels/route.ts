import { CreateAlertChannelSchema } from "@/lib/alerts/channels/alert-channel-schemas.ts";
import { createAlertChannel, listAlertChannels } from "@/lib/alerts/channels/alert-channels.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** Rule editors pick channels by name; secrets are answered only masked. */
export const GET = handleRoute({ role: "support" }, async () => createJsonResponse({ channels: await listAlertChannels(getDb()) }));

export const POST = handleRoute({ role: "admin" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, CreateAlertChannelSchema);
  return createJsonResponse({ channel: await createAlertChannel(getDb(), input, auth) }, { status: 201 });
});
