import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";

const IngestHealthQuerySchema = z.object({
  minutes: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1).max(7 * 24 * 60).default(60),
});

export const GET = handleRoute(async (request: Request) => {
  const { minutes } = parseQuery(request, IngestHealthQuerySchema);
  return createJsonResponse(await getIngestHealth(getDb(), { minutes }));
});
