"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ALERT_KINDS } from "@/lib/alerts/alert-kinds.ts";
import { describeTestResult } from "./alert-delivery-summary.ts";
import { AlertRuleForm } from "./alert-rule-form.tsx";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { alertKeys, alertQueries, type AlertHistoryRow, type AlertRuleRow, type AlertRulesResponse } from "./queries/alerts.ts";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";

const STATE_BADGE = { ok: "badge-online", pending: "badge-pending", firing: "badge-offline", disabled: "badge-unknown" } as const;

export function describeCondition(rule: AlertRuleRow): string {
  const info = ALERT_KINDS[rule.kind];
  const threshold = rule.params.threshold;
  const window = info.usesWindow ? ` over ${rule.windowMinutes} min` : "";
  const rate = rule.params.mode === "baseline" ? `${rule.params.multiplier ?? "?"} × usual (≥ ${threshold})` : `${threshold}`;
  switch (rule.kind) {
    case "connected_below":
      return `connected < ${threshold} devices`;
    case "connected_drop_percent":
      return `connected drops > ${threshold} %${window}`;
    case "disconnect_rate_above":
      return `> ${rate} drops/min${window}`;
    case "code_rate_above":
      return `${rule.params.code ?? "?"} > ${rate}/min${window}`;
    case "device_offline_longer":
      return `a device offline > ${threshold} min`;
  }
}

function describeState(rule: AlertRuleRow): string {
  const { state } = rule;
  if (state.status === "disabled") return "Disabled";
  if (rule.kind === "device_offline_longer") {
    const parts = [
      `${state.firing} firing`,
      state.pending > 0 ? `${state.pending} pending` : null,
      state.value !== null ? `${state.value} offline too long` : null,
    ];
    return `${state.status === "ok" ? "OK" : state.status === "firing" ? "Firing" : "Pending"} · ${parts.filter(Boolean).join(", ")}`;
  }
  const label = state.status === "ok" ? "OK" : state.status === "firing" ? "Firing" : "Pending";
  const { baselineNow } = rule;
  const baseline = !baselineNow
    ? ""
    : baselineNow.usualPerMinute === null
      ? " · no baseline yet (no history at this hour in the previous 7 days): cannot fire"
      : ` · usual ${baselineNow.usualPerMinute}/min, fires above ${baselineNow.threshold ?? "—"}`;
  return `${state.value === null ? `${label} · not evaluated yet` : `${label} · now ${state.value} ${ALERT_KINDS[rule.kind].unit}`}${baseline}`;
}

/** Silenced / in maintenance, and who acknowledged the firing alert. */
function describeQuiet(rule: AlertRuleRow): string[] {
  const { state } = rule;
  const lines: string[] = [];
  if (state.suppressedBy && state.status !== "disabled") lines.push(`Silenced (${state.suppressedBy})`);
  if (state.acknowledged > 0 && state.acknowledgedAt) {
    const what = rule.kind === "device_offline_longer" ? `${state.acknowledged} acknowledged` : "Acknowledged";
    lines.push(`${what} by ${state.acknowledgedBy ?? "?"} at ${formatTimestamp(state.acknowledgedAt)}`);
  }
  return lines;
}

/** The rules with their live state; support and admins also edit, enable/disable, delete and test-fire them. */
export function AlertRulesPanel({ initialData, canEdit }: { initialData: AlertRulesResponse; canEdit: boolean }) {
  const { data } = useQuery({ ...alertQueries.rules(), initialData });
  const write = useApiWrite({ invalidates: [alertKeys.rules] });
  const testWrite = useApiWrite<{ history: AlertHistoryRow; delivered: boolean }>({ invalidates: [alertKeys.rules] });
  const [editing, setEditing] = useState<AlertRuleRow | "new" | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState<string | null>(null);
  const [actingOn, setActingOn] = useState<AlertRuleRow | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; text: string }>>({});

  const busy = write.isPending || testWrite.isPending ? (actingOn?.id ?? null) : null;
  const error = write.error && actingOn ? `${actingOn.name}: ${write.error.message}` : null;

  function act(rule: AlertRuleRow, request: ApiWrite) {
    setActingOn(rule);
    write.mutate(request);
  }

  const path = (rule: AlertRuleRow) => `/api/v1/alerts/rules/${encodeURIComponent(rule.id)}`;
  function testFire(rule: AlertRuleRow) {
    setActingOn(rule);
    write.reset();
    setResults((current) => ({ ...current, [rule.id]: { ok: true, text: "Sending…" } }));
    testWrite.mutate(
      { method: "POST", url: `${path(rule)}/test` },
      {
        onSuccess: (result) => result && setResults((current) => ({ ...current, [rule.id]: describeTestResult(result.history) })),
        onError: (failure) => setResults((current) => ({ ...current, [rule.id]: { ok: false, text: failure.message } })),
      },
    );
  }

  const columns: DataTableColumn<AlertRuleRow>[] = [
    {
      header: "Rule",
      cell: (rule) => <Link href={`/alerts/history?ruleId=${encodeURIComponent(rule.id)}`}>{rule.name}</Link>,
    },
    {
      header: "Condition",
      cell: (rule) => (
        <>
          {describeCondition(rule)}
          <div className="muted">
            for {rule.forSeconds} s; clears at margin {rule.clearMargin} for {rule.clearForSeconds} s
          </div>
        </>
      ),
    },
    { header: "Scope", cell: (rule) => [rule.source ?? "all sources", rule.brokerNode].filter(Boolean).join(" · ") },
    {
      header: "State",
      cell: (rule) => (
        <>
          <span className={`badge ${STATE_BADGE[rule.state.status]}`}>{describeState(rule)}</span>
          {describeQuiet(rule).map((line) => (
            <div key={line} className="muted" data-testid="alert-quiet-state">
              {line}
            </div>
          ))}
          {rule.state.firingDevices.length > 0 ? (
            <div className="muted alert-devices">
              {rule.state.firingDevices.slice(0, 5).map((deviceId) => (
                <Link key={deviceId} href={`/devices/${encodeURIComponent(deviceId)}`}>
                  {deviceId}
                </Link>
              ))}
              {rule.state.firingDevices.length > 5 ? ` +${rule.state.firingDevices.length - 5} more` : null}
            </div>
          ) : null}
        </>
      ),
    },
    { header: "Last fired", className: "nowrap", cell: (rule) => (rule.lastFiredAt ? formatTimestamp(rule.lastFiredAt) : "never") },
    {
      header: "Channels",
      testId: "rule-channels",
      cell: (rule) => (rule.channels.length > 0 ? rule.channels.map((channel) => channel.name).join(", ") : "none"),
    },
    ...(canEdit
      ? [
          {
            header: "Actions",
            cell: (rule: AlertRuleRow) => (
              <>
                <div className="alert-actions">
                  <button className="button button-small" type="button" onClick={() => setEditing(rule)} disabled={busy === rule.id}>
                    Edit
                  </button>
                  <button
                    className="button button-small"
                    type="button"
                    disabled={busy === rule.id}
                    onClick={() => act(rule, { method: "PATCH", url: path(rule), body: { enabled: !rule.enabled } })}
                  >
                    {rule.enabled ? "Disable" : "Enable"}
                  </button>
                  {rule.state.firing > rule.state.acknowledged ? (
                    <button
                      className="button button-small"
                      type="button"
                      disabled={busy === rule.id}
                      onClick={() => act(rule, { method: "POST", url: `${path(rule)}/acknowledge`, body: {} })}
                    >
                      Acknowledge
                    </button>
                  ) : null}
                  <button
                    className="button button-small"
                    type="button"
                    disabled={busy === rule.id || rule.channels.length === 0}
                    onClick={() => testFire(rule)}
                  >
                    Test-fire
                  </button>
                  {confirmingDelete === rule.id ? (
                    <>
                      <button
                        className="button button-small button-danger"
                        type="button"
                        disabled={busy === rule.id}
                        onClick={() => act(rule, { method: "DELETE", url: path(rule) })}
                      >
                        Confirm delete
                      </button>
                      <button className="button button-small" type="button" onClick={() => setConfirmingDelete(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button className="button button-small" type="button" onClick={() => setConfirmingDelete(rule.id)}>
                      Delete
                    </button>
                  )}
                </div>
                {results[rule.id] ? (
                  <p role="status" className={results[rule.id]?.ok ? "muted" : "error-text"} data-testid="test-fire-result">
                    {results[rule.id]?.text}
                  </p>
                ) : null}
              </>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      {canEdit && editing === null ? (
        <div className="toolbar">
          <button className="button button-primary" type="button" onClick={() => setEditing("new")}>
            New rule
          </button>
        </div>
      ) : null}
      {editing !== null ? (
        <AlertRuleForm
          key={editing === "new" ? "new" : editing.id}
          rule={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <MutationError error={error} />
      <section className="panel">
        <DataTable
          label="Alert rules"
          columns={columns}
          rows={data.rules}
          rowKey={(rule) => rule.id}
          emptyText={`No alert rules yet.${canEdit ? " Create one with “New rule”." : ""}`}
        />
      </section>
    </>
  );
}
