import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { listEndpointOverview } from "@/lib/probe-schedule/endpoint-overview.ts";
import { CreateProbeEndpointSchema } from "@/lib/probe-schedule/probe-endpoint-schemas.ts";
import { createProbeEndpoint } from "@/lib/probe-schedule/probe-endpoints.ts";

export const GET = handleRoute(async () => createJsonResponse({ endpoints: await listEndpointOverview(getDb(), new Date()) }));

/** A new scheduled probe endpoint; its password is stored for the schedule and never answered. */
export const POST = handleRoute({ role: "admin" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, CreateProbeEndpointSchema, 128 * 1024);
  return createJsonResponse({ endpoint: await createProbeEndpoint(getDb(), input, auth) }, { status: 201 });
});
