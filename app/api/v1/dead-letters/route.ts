import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { DEAD_LETTERS_READ_ROLE, listDeadLetters } from "@/lib/queries/list-dead-letters.ts";
import { DeadLettersQuerySchema } from "@/lib/http/api-contract/ingest.ts";

export const GET = handleRoute({ role: DEAD_LETTERS_READ_ROLE }, async (request: Request) => {
  const query = parseQuery(request, DeadLettersQuerySchema);
  const deadLetters = await listDeadLetters(getDb(), {
    source: query.source,
    includeResolved: query.includeResolved === "true",
    limit: query.limit,
  });
  return createJsonResponse({ deadLetters });
});
