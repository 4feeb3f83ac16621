import { z } from "zod";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { FleetQuerySchema } from "@/lib/fleet/fleet-params.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { RangeQuerySchema } from "@/lib/http/api-contract/range-query.ts";
import { createLimitParamSchema, TimestampParamSchema } from "@/lib/validation/query-schemas.ts";

const AFFECTED_BY = "reason: `key` is a canonical reason; code: `key` is a vendor code";
const AFFECTED_KEY = "the breakdown row: a reason, or a vendor code such as emqx:keepalive_timeout (empty: events without a code)";

export const AffectedDevicesQuerySchema = z.discriminatedUnion(
  "by",
  [
    FleetQuerySchema.extend({
      by: z.literal("reason").describe(AFFECTED_BY),
      key: ReasonSchema.describe(AFFECTED_KEY),
      limit: createLimitParamSchema(100, 500),
    }),
    // An empty code means the events that carried none.
    FleetQuerySchema.extend({
      by: z.literal("code").describe(AFFECTED_BY),
      key: z.string().max(200).describe(AFFECTED_KEY),
      limit: createLimitParamSchema(100, 500),
    }),
  ],
  { error: "by must be reason or code" },
);

export const FleetBreakdownQuerySchema = FleetQuerySchema.extend({
  by: z
    .enum(["reason", "code"], { error: "must be reason or code" })
    .default("reason")
    .describe("group by canonical reason, or by the vendor's own code"),
});

export const FlappingQuerySchema = FleetQuerySchema.extend({ limit: createLimitParamSchema(20, 200) });
export const NewCodesQuerySchema = FleetQuerySchema.extend({ limit: createLimitParamSchema(50, 200) });
export const OfflineQuerySchema = FleetQuerySchema.omit({ from: true, to: true }).extend({ limit: createLimitParamSchema(20, 200) });

export const TopDevicesQuerySchema = z.object({
  from: TimestampParamSchema.optional(),
  to: TimestampParamSchema.optional(),
  limit: createLimitParamSchema(10, 100),
});

export const FLEET_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/v1/fleet/affected-devices",
    access: "viewer",
    summary: "the devices behind one breakdown row, most affected first, with `totalDevices` (`key=` empty: events without a code)",
    status: 200,
    query: AffectedDevicesQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/breakdown",
    access: "viewer",
    summary:
      "disconnects and failed connects by reason or vendor code in the range, each with `share`, a 30-bin `sparkline` and `change` against the previous equal period (from rollups)",
    status: 200,
    query: FleetBreakdownQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/filters",
    access: "viewer",
    summary:
      "the values the fleet filters can take (sources, broker nodes, firmware, regions, networks, `key=value` labels), from the data",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/funnel",
    access: "viewer",
    summary:
      "the fleet's connection-attempt funnel in the range, from the rollups by code: per stage (dns, tcp, tls, mqtt-connect, session, unknown) failures by side with the top codes, and a one-line `reading`; filtered views read per-device rollups without connects, so `attempts` is null there",
    status: 200,
    query: FleetQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/flapping",
    access: "viewer",
    summary: "devices with the most drops per hour (and peak hour)",
    status: 200,
    query: FlappingQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/hourly-disconnects",
    access: "viewer",
    summary: "disconnects per UTC hour, stacked by reason (the overview's chart)",
    status: 200,
    query: RangeQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/new-codes",
    access: "viewer",
    summary: "codes first seen in the range, never before",
    status: 200,
    query: NewCodesQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/offline",
    access: "viewer",
    summary: "devices offline now, longest first, with the last reason and code",
    status: 200,
    query: OfflineQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/series",
    access: "viewer",
    summary:
      "connected devices (`connected`: count at the end of each bin, from the ingest-time gauge) and disconnects stacked by reason per bin; `stepMs` chosen for ≤ 200 bins",
    status: 200,
    query: FleetQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/summary",
    access: "viewer",
    summary: "devices online, totals, connects / disconnects / refusals in the range",
    status: 200,
    query: RangeQuerySchema,
  },
  {
    method: "GET",
    path: "/api/v1/fleet/top-devices",
    access: "viewer",
    summary: "devices with the most unrequested disconnects and failed connects (the overview's table); the window is capped at 7 days",
    status: 200,
    query: TopDevicesQuerySchema,
  },
];
