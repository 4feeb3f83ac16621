"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FleetFilterOptions } from "@/lib/fleet/list-filter-options.ts";
import type { AffectedDevices } from "@/lib/fleet/list-affected-devices.ts";
import type { FlappingDevice } from "@/lib/fleet/list-flapping-devices.ts";
import type { NewCode } from "@/lib/fleet/list-new-codes.ts";
import type { OfflineDevice } from "@/lib/fleet/list-offline-devices.ts";
import type { FleetSeries } from "@/lib/fleet/get-fleet-series.ts";
import { toApiQuery, toSearchParams, type Drill, type FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import type { FleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { fetchJson } from "./fetch-json.ts";

export type FleetSeriesResponse = Jsonify<FleetSeries>;
export type FleetBreakdownResponse = Jsonify<FleetBreakdown>;
export type AffectedDevicesResponse = Jsonify<AffectedDevices & { from: Date; to: Date; by: Drill["by"]; key: string | null }>;
export type FlappingResponse = Jsonify<{ from: Date; to: Date; devices: FlappingDevice[] }>;
export type OfflineResponse = Jsonify<{ totalOffline: number; devices: OfflineDevice[] }>;
export type NewCodesResponse = Jsonify<{ from: Date; to: Date; codes: NewCode[] }>;

/** Refetched whenever new events arrive (live-update contract); a preset range moves with "now" on every fetch. */
const LIVE = { live: "fleet" } as const;

/** The view without its drill-down: what every fleet query depends on. */
function viewKey(state: FleetViewState): string {
  return toSearchParams({ ...state, drill: null }).toString();
}

function fleetGet<T>(path: string, state: FleetViewState, extra?: Record<string, string>) {
  return ({ signal }: { signal: AbortSignal }) => fetchJson<T>(`${path}?${toApiQuery(state, Date.now(), extra)}`, signal);
}

export function useFleetSeries(state: FleetViewState) {
  return useQuery({ queryKey: ["fleet", "series", viewKey(state)], queryFn: fleetGet<FleetSeriesResponse>("/api/v1/fleet/series", state), meta: LIVE, placeholderData: keepPreviousData });
}

export function useFleetBreakdown(state: FleetViewState, by: Drill["by"]) {
  return useQuery({
    queryKey: ["fleet", "breakdown", by, viewKey(state)],
    queryFn: fleetGet<FleetBreakdownResponse>("/api/v1/fleet/breakdown", state, { by }),
    meta: LIVE,
    placeholderData: keepPreviousData,
  });
}

export function useAffectedDevices(state: FleetViewState, drill: Drill) {
  return useQuery({
    queryKey: ["fleet", "affected-devices", drill.by, drill.key, viewKey(state)],
    queryFn: fleetGet<AffectedDevicesResponse>("/api/v1/fleet/affected-devices", state, { by: drill.by, key: drill.key }),
    meta: LIVE,
  });
}

export function useFlappingDevices(state: FleetViewState) {
  return useQuery({ queryKey: ["fleet", "flapping", viewKey(state)], queryFn: fleetGet<FlappingResponse>("/api/v1/fleet/flapping", state), meta: LIVE });
}

export function useOfflineDevices(state: FleetViewState) {
  return useQuery({
    queryKey: ["fleet", "offline", viewKey({ ...state, range: { preset: "24h" } })],
    queryFn: fleetGet<OfflineResponse>("/api/v1/fleet/offline", state),
    meta: LIVE,
  });
}

export function useNewCodes(state: FleetViewState) {
  return useQuery({ queryKey: ["fleet", "new-codes", viewKey(state)], queryFn: fleetGet<NewCodesResponse>("/api/v1/fleet/new-codes", state), meta: LIVE });
}

export function useFleetFilterOptions() {
  return useQuery({
    queryKey: ["fleet", "filter-options"],
    queryFn: ({ signal }) => fetchJson<Jsonify<FleetFilterOptions>>("/api/v1/fleet/filters", signal),
    staleTime: 60_000,
  });
}
