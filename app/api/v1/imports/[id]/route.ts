import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { parseImportRunId } from "@/lib/http/import-run-id.ts";
import { getImportRun } from "@/lib/queries/get-import-run.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const id = parseImportRunId((await context.params).id);
  const found = await getImportRun(getDb(), id);
  if (!found) throw new AppError(404, "import_not_found", `No import ${id}.`);
  return createJsonResponse(found);
});
