import { z } from "zod";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { CreateProbeEndpointSchema, UpdateProbeEndpointSchema } from "@/lib/probe-schedule/probe-endpoint-schemas.ts";

export const ProbeEndpointTimelineQuerySchema = z.object({
  range: z.enum(["24h", "7d"]).default("24h").describe("the timeline's span, up to now"),
});

export const ENDPOINTS_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/v1/endpoints/{id}",
    access: "viewer",
    summary:
      "`{ endpoint, timeline: { points (availability and mean step latencies per bucket), health, failures (latest 20: startedAt, failedStep, explanation) } }`; 404 `probe_endpoint_not_found`",
    status: 200,
    query: ProbeEndpointTimelineQuerySchema,
  },
  {
    method: "PATCH",
    path: "/api/v1/endpoints/{id}",
    access: "admin",
    summary:
      "any of the fields above → `{ endpoint }`; `password` omitted keeps it, `null` removes it; a new URL or interval, or enabling, makes it due at once; 400 `probe_target_refused` for a URL the server will not probe; audited",
    status: 200,
    body: UpdateProbeEndpointSchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/endpoints/{id}",
    access: "admin",
    summary: "204; its runs go with it; audited",
    status: 204,
  },
  {
    method: "GET",
    path: "/api/v1/endpoints",
    access: "viewer",
    summary:
      "`{ endpoints }`: each [scheduled probe endpoint](scheduled-probes.md) with its settings (never its password: `hasPassword`), `health.last24h` / `health.last7d` (`{ runs, passed, share }`) and `health.lastRun`",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/endpoints",
    access: "admin",
    summary:
      "`{ name, url (mqtt/mqtts/ws/wss, no credentials), intervalMinutes (1–1440), mqttVersion? (4|5), clientId?, username?, password?, caPem?, source?, brokerNode?, enabled? }` → 201 `{ endpoint }`; 400 `probe_target_refused` when the host is or resolves to a loopback, private or link-local address the operator did not list (`LINKSCOPE_PROBE_TARGETS`, `LINKSCOPE_OUTBOUND_ALLOW`); 409 on a taken name; audited without the password",
    status: 201,
    body: CreateProbeEndpointSchema,
  },
];
