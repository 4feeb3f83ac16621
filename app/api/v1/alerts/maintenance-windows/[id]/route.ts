import { deleteMaintenanceWindow } from "@/lib/alerts/maintenance-windows.ts";
import { getDb } from "@/lib/db/client.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

export const DELETE = handleRoute({ role: "support" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  await deleteMaintenanceWindow(getDb(), id, auth);
  return new Response(null, { status: 204 });
});
