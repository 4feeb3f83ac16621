import { getReadDb } from "@/lib/db/read-replica.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getCodeDetails } from "@/lib/queries/get-code-details.ts";
import { CodeParamsSchema } from "@/lib/http/api-contract/system.ts";

export const GET = handleRoute(async (_request: Request, context: { params: Promise<{ code: string }> }) => {
  const { code } = parseInput(CodeParamsSchema, await context.params, "invalid_code");
  const details = await getCodeDetails(await getReadDb(), { code });
  if (!details) throw new AppError(404, "code_not_found", `"${code}" is not in the knowledge base.`, { code });
  return createJsonResponse(details);
});
