import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { getEndpointDetail } from "@/lib/probe-schedule/endpoint-overview.ts";
import { UpdateProbeEndpointSchema } from "@/lib/probe-schedule/probe-endpoint-schemas.ts";
import { deleteProbeEndpoint, updateProbeEndpoint } from "@/lib/probe-schedule/probe-endpoints.ts";
import { ProbeEndpointTimelineQuerySchema } from "@/lib/http/api-contract/endpoints.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (request: Request, context: Context) => {
  const { id } = await context.params;
  const { range } = parseQuery(request, ProbeEndpointTimelineQuerySchema);
  const detail = await getEndpointDetail(getDb(), id, { now: new Date(), range });
  if (!detail) throw new AppError(404, "probe_endpoint_not_found", `No probe endpoint ${id}.`);
  return createJsonResponse(detail);
});

export const PATCH = handleRoute({ role: "admin" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const patch = await readJsonBody(request, UpdateProbeEndpointSchema, 128 * 1024);
  return createJsonResponse({ endpoint: await updateProbeEndpoint(getDb(), id, patch, auth) });
});

export const DELETE = handleRoute({ role: "admin" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  await deleteProbeEndpoint(getDb(), id, auth);
  return new Response(null, { status: 204 });
});
