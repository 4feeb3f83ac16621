"use client";

import { useQuery } from "@tanstack/react-query";
import type { AlertSilenceView } from "@/lib/alerts/alert-silences.ts";
import type { MaintenanceWindowView } from "@/lib/alerts/maintenance-windows.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { fetchJson } from "./fetch-json.ts";

export type AlertSilenceRow = Jsonify<AlertSilenceView>;
export type MaintenanceWindowRow = Jsonify<MaintenanceWindowView>;
export type AlertSilencesResponse = { silences: AlertSilenceRow[] };
export type MaintenanceWindowsResponse = { windows: MaintenanceWindowRow[] };

export const ALERT_SILENCES_KEY = ["alert-silences"] as const;
export const MAINTENANCE_WINDOWS_KEY = ["maintenance-windows"] as const;

export function useAlertSilences(initialData: AlertSilencesResponse) {
  return useQuery({
    queryKey: ALERT_SILENCES_KEY,
    queryFn: ({ signal }) => fetchJson<AlertSilencesResponse>("/api/v1/alerts/silences", signal),
    initialData,
    refetchInterval: 60_000,
  });
}

export function useMaintenanceWindows(initialData: MaintenanceWindowsResponse) {
  return useQuery({
    queryKey: MAINTENANCE_WINDOWS_KEY,
    queryFn: ({ signal }) => fetchJson<MaintenanceWindowsResponse>("/api/v1/alerts/maintenance-windows", signal),
    initialData,
    refetchInterval: 60_000,
  });
}
