import { CreateMaintenanceWindowSchema } from "@/lib/alerts/alert-quiet-schemas.ts";
import { createMaintenanceWindow, listMaintenanceWindows } from "@/lib/alerts/maintenance-windows.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute(async () => createJsonResponse({ windows: await listMaintenanceWindows(getDb()) }));

export const POST = handleRoute({ role: "support" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, CreateMaintenanceWindowSchema);
  return createJsonResponse({ window: await createMaintenanceWindow(getDb(), input, auth) }, { status: 201 });
});
