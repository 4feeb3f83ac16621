"use client";

import { useQuery } from "@tanstack/react-query";
import type { AlertRuleView } from "@/lib/alerts/alert-rules.ts";
import type { AlertHistoryView } from "@/lib/alerts/list-alert-history.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { fetchJson } from "./fetch-json.ts";

export type AlertRuleRow = Jsonify<AlertRuleView>;
export type AlertHistoryRow = Jsonify<AlertHistoryView>;
export type AlertRulesResponse = { rules: AlertRuleRow[] };
export type AlertHistoryResponse = { history: AlertHistoryRow[]; nextBefore: string | null };
export type AlertHistoryFilter = { ruleId?: string | undefined; status?: string | undefined; before?: string | undefined };

export const ALERT_RULES_KEY = ["alert-rules"] as const;

/** Rules with their current state; refreshed on new events, as the worker's evaluation follows them. */
export function useAlertRules(initialData: AlertRulesResponse) {
  return useQuery({
    queryKey: ALERT_RULES_KEY,
    queryFn: ({ signal }) => fetchJson<AlertRulesResponse>("/api/v1/alerts/rules", signal),
    initialData,
    meta: { live: "fleet" },
  });
}

export function useAlertHistory(filter: AlertHistoryFilter, initialData: AlertHistoryResponse) {
  const params = new URLSearchParams({ limit: "100" });
  if (filter.ruleId) params.set("ruleId", filter.ruleId);
  if (filter.status) params.set("status", filter.status);
  if (filter.before) params.set("before", filter.before);
  return useQuery({
    queryKey: ["alert-history", filter.ruleId ?? "", filter.status ?? "", filter.before ?? ""],
    queryFn: ({ signal }) => fetchJson<AlertHistoryResponse>(`/api/v1/alerts/history?${params.toString()}`, signal),
    initialData,
    meta: { live: "fleet" },
  });
}
