import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getImportRun } from "@/lib/queries/get-import-run.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const { id } = await context.params;
  if (!/^\d{1,19}$/.test(id)) throw new AppError(400, "invalid_id", "The import ID is a decimal number.");
  const found = await getImportRun(getDb(), BigInt(id));
  if (!found) throw new AppError(404, "import_not_found", `No import ${id}.`);
  return createJsonResponse(found);
});
