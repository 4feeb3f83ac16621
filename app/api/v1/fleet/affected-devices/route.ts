import { z } from "zod";
import { getDb } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { FleetQuerySchema, requireFleetRange, toFleetFilter } from "@/lib/fleet/fleet-params.ts";
import { listAffectedDevices } from "@/lib/fleet/list-affected-devices.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { parseQuery } from "@/lib/http/parse-input.ts";
import { createLimitParamSchema } from "@/lib/validation/query-schemas.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

const AffectedDevicesQuerySchema = z.discriminatedUnion("by", [
  FleetQuerySchema.extend({ by: z.literal("reason"), key: ReasonSchema, limit: createLimitParamSchema(100, 500) }),
  // An empty code means the events that carried none.
  FleetQuerySchema.extend({ by: z.literal("code"), key: z.string().max(200), limit: createLimitParamSchema(100, 500) }),
], { error: "by must be reason or code" });

/** The devices behind one breakdown row (a reason or a code) in the range, most affected first. */
export const GET = handleRoute(async (request: Request) => {
  const query = parseQuery(request, AffectedDevicesQuerySchema);
  const range = requireFleetRange(query);
  const key = query.by === "code" && query.key === "" ? null : query.key;
  const result = await listAffectedDevices(getDb(), { by: query.by, key, ...range, filter: toFleetFilter(query), limit: query.limit });
  return createJsonResponse({ ...range, by: query.by, key, ...result });
});
