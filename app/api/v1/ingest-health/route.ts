import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import { IngestHealthQuerySchema } from "@/lib/http/api-contract/ingest.ts";

export const GET = handleRoute(async (request: Request) => {
  const { minutes } = parseQuery(request, IngestHealthQuerySchema);
  return createJsonResponse(await getIngestHealth(getDb(), { minutes }));
});
