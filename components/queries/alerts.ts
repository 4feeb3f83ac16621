import { queryOptions } from "@tanstack/react-query";
import type { AlertChannelView } from "@/lib/alerts/channels/alert-channels.ts";
import type { AlertRuleView } from "@/lib/alerts/alert-rules.ts";
import type { AlertSilenceView } from "@/lib/alerts/alert-silences.ts";
import type { AlertHistoryView } from "@/lib/alerts/list-alert-history.ts";
import type { MaintenanceWindowView } from "@/lib/alerts/maintenance-windows.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "../fetch-json.ts";

export type AlertRuleRow = Jsonify<AlertRuleView>;
export type AlertHistoryRow = Jsonify<AlertHistoryView>;
export type AlertChannelRow = Jsonify<AlertChannelView>;
export type AlertSilenceRow = Jsonify<AlertSilenceView>;
export type MaintenanceWindowRow = Jsonify<MaintenanceWindowView>;
export type AlertRulesResponse = { rules: AlertRuleRow[] };
export type AlertHistoryResponse = { history: AlertHistoryRow[]; nextBefore: string | null };
export type AlertChannelsResponse = { channels: AlertChannelRow[] };
export type AlertSilencesResponse = { silences: AlertSilenceRow[] };
export type MaintenanceWindowsResponse = { windows: MaintenanceWindowRow[] };
export type AlertHistoryFilter = { ruleId?: string | undefined; status?: string | undefined; before?: string | undefined };

/** Query keys a write invalidates: each domain's root key covers all of its queries. */
export const alertKeys = {
  rules: ["alert-rules"],
  history: ["alert-history"],
  channels: ["alert-channels"],
  silences: ["alert-silences"],
  maintenanceWindows: ["maintenance-windows"],
} as const;

export const alertQueries = {
  /** Rules with their current state; refreshed on new events, as the worker's evaluation follows them. */
  rules: () =>
    queryOptions({
      queryKey: alertKeys.rules,
      queryFn: ({ signal }) => fetchJson<AlertRulesResponse>("/api/v1/alerts/rules", signal),
      meta: liveFleetMeta,
    }),
  history: (filter: AlertHistoryFilter) => {
    const params = new URLSearchParams({ limit: "100" });
    if (filter.ruleId) params.set("ruleId", filter.ruleId);
    if (filter.status) params.set("status", filter.status);
    if (filter.before) params.set("before", filter.before);
    return queryOptions({
      queryKey: [...alertKeys.history, filter.ruleId ?? "", filter.status ?? "", filter.before ?? ""],
      queryFn: ({ signal }) => fetchJson<AlertHistoryResponse>(`/api/v1/alerts/history?${params.toString()}`, signal),
      meta: liveFleetMeta,
    });
  },
  channels: () =>
    queryOptions({
      queryKey: alertKeys.channels,
      queryFn: ({ signal }) => fetchJson<AlertChannelsResponse>("/api/v1/alerts/channels", signal),
    }),
  silences: () =>
    queryOptions({
      queryKey: alertKeys.silences,
      queryFn: ({ signal }) => fetchJson<AlertSilencesResponse>("/api/v1/alerts/silences", signal),
      refetchInterval: 60_000,
    }),
  maintenanceWindows: () =>
    queryOptions({
      queryKey: alertKeys.maintenanceWindows,
      queryFn: ({ signal }) => fetchJson<MaintenanceWindowsResponse>("/api/v1/alerts/maintenance-windows", signal),
      refetchInterval: 60_000,
    }),
};
