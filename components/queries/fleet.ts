import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import type { FirmwareRollout } from "@/lib/cohorts/get-rollout.ts";
import type { CohortList, CohortPair } from "@/lib/cohorts/list-cohorts.ts";
import type { RolloutSummary } from "@/lib/cohorts/shape-rollout.ts";
import type { FleetFilterOptions } from "@/lib/fleet/list-filter-options.ts";
import type { AffectedDevices } from "@/lib/fleet/list-affected-devices.ts";
import type { FlappingDevice } from "@/lib/fleet/list-flapping-devices.ts";
import type { NewCode } from "@/lib/fleet/list-new-codes.ts";
import type { OfflineDevice } from "@/lib/fleet/list-offline-devices.ts";
import type { FleetSeries } from "@/lib/fleet/get-fleet-series.ts";
import { toApiQuery, toSearchParams, type Drill, type FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import type { FleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import type { FleetFunnel } from "@/lib/fleet/get-fleet-funnel.ts";
import { fetchJson } from "../fetch-json.ts";

export type FleetSeriesResponse = Jsonify<FleetSeries>;
export type FleetBreakdownResponse = Jsonify<FleetBreakdown>;
export type FleetFunnelResponse = Jsonify<FleetFunnel>;
export type AffectedDevicesResponse = Jsonify<AffectedDevices & { from: Date; to: Date; by: Drill["by"]; key: string | null }>;
export type FlappingResponse = Jsonify<{ from: Date; to: Date; devices: FlappingDevice[] }>;
export type OfflineResponse = Jsonify<{ totalOffline: number; devices: OfflineDevice[] }>;
export type NewCodesResponse = Jsonify<{ from: Date; to: Date; codes: NewCode[] }>;
export type CohortListResponse = Jsonify<CohortList & { from: Date; to: Date; by: string }>;
export type CohortPairResponse = Jsonify<CohortPair & { from: Date; to: Date; by: string }>;
export type RolloutResponse = Jsonify<{ versions: FirmwareRollout[]; rollout: RolloutSummary | null }>;

/** The view without its drill-down: what every fleet query depends on. */
function viewKey(state: FleetViewState): string {
  return toSearchParams({ ...state, drill: null }).toString();
}

/** A preset range moves with "now" on every fetch, so the time is taken when the request is made. */
function fleetGet<T>(path: string, state: FleetViewState, extra?: Record<string, string>) {
  return ({ signal }: { signal: AbortSignal }) => fetchJson<T>(`${path}?${toApiQuery(state, Date.now(), extra)}`, signal);
}

/** Every fleet and cohort view follows new events (live meta). */
export const fleetQueries = {
  series: (state: FleetViewState) =>
    queryOptions({
      queryKey: ["fleet", "series", viewKey(state)],
      queryFn: fleetGet<FleetSeriesResponse>("/api/v1/fleet/series", state),
      meta: liveFleetMeta,
      placeholderData: keepPreviousData,
    }),
  breakdown: (state: FleetViewState, by: Drill["by"]) =>
    queryOptions({
      queryKey: ["fleet", "breakdown", by, viewKey(state)],
      queryFn: fleetGet<FleetBreakdownResponse>("/api/v1/fleet/breakdown", state, { by }),
      meta: liveFleetMeta,
      placeholderData: keepPreviousData,
    }),
  funnel: (state: FleetViewState) =>
    queryOptions({
      queryKey: ["fleet", "funnel", viewKey(state)],
      queryFn: fleetGet<FleetFunnelResponse>("/api/v1/fleet/funnel", state),
      meta: liveFleetMeta,
      placeholderData: keepPreviousData,
    }),
  affectedDevices: (state: FleetViewState, drill: Drill) =>
    queryOptions({
      queryKey: ["fleet", "affected-devices", drill.by, drill.key, viewKey(state)],
      queryFn: fleetGet<AffectedDevicesResponse>("/api/v1/fleet/affected-devices", state, { by: drill.by, key: drill.key }),
      meta: liveFleetMeta,
    }),
  flapping: (state: FleetViewState) =>
    queryOptions({
      queryKey: ["fleet", "flapping", viewKey(state)],
      queryFn: fleetGet<FlappingResponse>("/api/v1/fleet/flapping", state),
      meta: liveFleetMeta,
    }),
  offline: (state: FleetViewState) =>
    queryOptions({
      queryKey: ["fleet", "offline", viewKey({ ...state, range: { preset: "24h" } })],
      queryFn: fleetGet<OfflineResponse>("/api/v1/fleet/offline", state),
      meta: liveFleetMeta,
    }),
  newCodes: (state: FleetViewState) =>
    queryOptions({
      queryKey: ["fleet", "new-codes", viewKey(state)],
      queryFn: fleetGet<NewCodesResponse>("/api/v1/fleet/new-codes", state),
      meta: liveFleetMeta,
    }),
  filterOptions: () =>
    queryOptions({
      queryKey: ["fleet", "filter-options"],
      queryFn: ({ signal }) => fetchJson<Jsonify<FleetFilterOptions>>("/api/v1/fleet/filters", signal),
      staleTime: 60_000,
    }),
  cohorts: (state: FleetViewState, by: string) =>
    queryOptions({
      queryKey: ["fleet", "cohorts", by, viewKey(state)],
      queryFn: fleetGet<CohortListResponse>("/api/v1/fleet/cohorts", state, { by }),
      meta: liveFleetMeta,
      placeholderData: keepPreviousData,
    }),
  cohortPair: (state: FleetViewState, by: string, a: string | null, b: string | null) =>
    queryOptions({
      queryKey: ["fleet", "cohorts", "compare", by, a, b, viewKey(state)],
      queryFn: fleetGet<CohortPairResponse>("/api/v1/fleet/cohorts/compare", state, { by, a: a ?? "", ...(b === null ? {} : { b }) }),
      enabled: a !== null,
      meta: liveFleetMeta,
    }),
  firmwareRollout: (state: FleetViewState, firmware: string | null, hours: number) =>
    queryOptions({
      queryKey: ["fleet", "cohorts", "rollout", firmware, hours, viewKey(state)],
      queryFn: fleetGet<RolloutResponse>("/api/v1/fleet/cohorts/rollout", state, {
        hours: String(hours),
        ...(firmware === null ? {} : { firmware }),
      }),
      meta: liveFleetMeta,
      placeholderData: keepPreviousData,
    }),
};
