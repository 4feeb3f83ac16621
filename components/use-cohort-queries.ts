"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FirmwareRollout } from "@/lib/cohorts/get-rollout.ts";
import type { CohortList, CohortPair } from "@/lib/cohorts/list-cohorts.ts";
import type { RolloutSummary } from "@/lib/cohorts/shape-rollout.ts";
import { toApiQuery, toSearchParams, type FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { fetchJson } from "./fetch-json.ts";

export type CohortListResponse = Jsonify<CohortList & { from: Date; to: Date; by: string }>;
export type CohortPairResponse = Jsonify<CohortPair & { from: Date; to: Date; by: string }>;
export type RolloutResponse = Jsonify<{ versions: FirmwareRollout[]; rollout: RolloutSummary | null }>;

const LIVE = { live: "fleet" } as const;

function viewKey(state: FleetViewState): string {
  return toSearchParams({ ...state, drill: null }).toString();
}

export function useCohortList(state: FleetViewState, by: string) {
  return useQuery({
    queryKey: ["fleet", "cohorts", by, viewKey(state)],
    queryFn: ({ signal }) => fetchJson<CohortListResponse>(`/api/v1/fleet/cohorts?${toApiQuery(state, Date.now(), { by })}`, signal),
    meta: LIVE,
    placeholderData: keepPreviousData,
  });
}

export function useCohortPair(state: FleetViewState, by: string, a: string | null, b: string | null) {
  return useQuery({
    queryKey: ["fleet", "cohorts", "compare", by, a, b, viewKey(state)],
    queryFn: ({ signal }) => fetchJson<CohortPairResponse>(`/api/v1/fleet/cohorts/compare?${toApiQuery(state, Date.now(), { by, a: a ?? "", ...(b === null ? {} : { b }) })}`, signal),
    enabled: a !== null,
    meta: LIVE,
  });
}

export function useFirmwareRollout(state: FleetViewState, firmware: string | null, hours: number) {
  return useQuery({
    queryKey: ["fleet", "cohorts", "rollout", firmware, hours, viewKey(state)],
    queryFn: ({ signal }) =>
      fetchJson<RolloutResponse>(`/api/v1/fleet/cohorts/rollout?${toApiQuery(state, Date.now(), { hours: String(hours), ...(firmware === null ? {} : { firmware }) })}`, signal),
    meta: LIVE,
    placeholderData: keepPreviousData,
  });
}
