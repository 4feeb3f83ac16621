import { CreateAlertSilenceSchema } from "@/lib/alerts/alert-quiet-schemas.ts";
import { createAlertSilence, listAlertSilences } from "@/lib/alerts/alert-silences.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute(async () => createJsonResponse({ silences: await listAlertSilences(getDb()) }));

export const POST = handleRoute({ role: "support" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, CreateAlertSilenceSchema);
  return createJsonResponse({ silence: await createAlertSilence(getDb(), input, auth) }, { status: 201 });
});
