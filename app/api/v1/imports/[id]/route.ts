import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getLiveImport } from "@/lib/ingest/import-uploads.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const { id } = await context.params;
  if (!/^\d{1,19}$/.test(id)) throw new AppError(400, "invalid_id", "The import ID is a decimal number.");
  const run = await getDb().importRun.findUnique({ where: { id: BigInt(id) } });
  if (!run) throw new AppError(404, "import_not_found", `No import ${id}.`);
  const live = getLiveImport(id);
  return createJsonResponse({ run, progress: live });
});
