"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { AlertSilenceForm } from "./alert-silence-form.tsx";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";
import { MaintenanceWindowForm } from "./maintenance-window-form.tsx";
import { MutationError } from "./mutation-error.tsx";
import {
  alertKeys,
  alertQueries,
  type AlertRulesResponse,
  type AlertSilenceRow,
  type AlertSilencesResponse,
  type MaintenanceWindowRow,
  type MaintenanceWindowsResponse,
} from "./queries/alerts.ts";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";

function describeSilenced(silence: AlertSilenceRow): string {
  const rule = silence.ruleName ? `rule “${silence.ruleName}”` : "all rules";
  switch (silence.target) {
    case "rule":
      return `Rule “${silence.ruleName ?? "?"}” muted`;
    case "scope":
      return `${[silence.source ? `source ${silence.source}` : null, silence.brokerNode ? `node ${silence.brokerNode}` : null].filter(Boolean).join(", ")} muted`;
    case "devices": {
      const listed = silence.deviceIds.slice(0, 5).join(", ");
      const more = silence.deviceIds.length > 5 ? ` +${silence.deviceIds.length - 5} more` : "";
      return `${silence.deviceIds.length} device${silence.deviceIds.length === 1 ? "" : "s"} (${listed}${more}) left out of ${rule}`;
    }
    case "label":
      return `Devices labelled ${silence.label ?? "?"} left out of ${rule}`;
  }
}

function describeWindow(window: MaintenanceWindowRow): string {
  const scope = [window.source, window.brokerNode].filter(Boolean).join(" · ") || "all sources";
  const repeats = window.recurrence === "once" ? "once" : window.recurrence;
  return `${repeats}, ${window.durationMinutes} min · ${scope}`;
}

/** An "Actions" column for those who may edit; none for the others. */
function actionColumn<Row>(canEdit: boolean, cell: (row: Row) => ReactNode): DataTableColumn<Row>[] {
  return canEdit ? [{ header: "Actions", cell }] : [];
}

type Props = { rules: AlertRulesResponse; silences: AlertSilencesResponse; windows: MaintenanceWindowsResponse; canEdit: boolean };

/** Silences and maintenance windows: what keeps alerts quiet now and soon; support and admins create and end them. */
export function AlertSilencesPanel({ rules: initialRules, silences: initialSilences, windows: initialWindows, canEdit }: Props) {
  const { data: rules } = useQuery({ ...alertQueries.rules(), initialData: initialRules });
  const { data: silences } = useQuery({ ...alertQueries.silences(), initialData: initialSilences });
  const { data: windows } = useQuery({ ...alertQueries.maintenanceWindows(), initialData: initialWindows });
  const write = useApiWrite({ invalidates: [alertKeys.silences, alertKeys.maintenanceWindows, alertKeys.rules] });
  const [creating, setCreating] = useState<"silence" | "window" | null>(null);
  const [actingOn, setActingOn] = useState<string | null>(null);
  const busy = write.isPending ? actingOn : null;

  function act(id: string, request: ApiWrite) {
    setActingOn(id);
    write.mutate(request);
  }

  const silenceColumns: DataTableColumn<AlertSilenceRow>[] = [
    { header: "What", cell: (silence) => describeSilenced(silence) },
    { header: "Reason", cell: (silence) => silence.reason },
    { header: "By", cell: (silence) => silence.createdBy },
    {
      header: "Until",
      className: "nowrap",
      cell: (silence) => (
        <>
          <span className={`badge ${silence.active ? "badge-pending" : "badge-unknown"}`}>{silence.active ? "Active" : "Ended"}</span>{" "}
          {formatTimestamp(silence.endsAt)}
          {silence.endedBy ? <div className="muted">ended early by {silence.endedBy}</div> : null}
        </>
      ),
    },
    ...actionColumn<AlertSilenceRow>(canEdit, (silence) =>
      silence.active ? (
        <button
          className="button button-small"
          type="button"
          disabled={busy === silence.id}
          onClick={() => act(silence.id, { method: "POST", url: `/api/v1/alerts/silences/${encodeURIComponent(silence.id)}/end` })}
        >
          End now
        </button>
      ) : null,
    ),
  ];
  const windowColumns: DataTableColumn<MaintenanceWindowRow>[] = [
    { header: "Window", cell: (window) => window.name },
    { header: "Repeats", cell: (window) => describeWindow(window) },
    {
      header: "Now / next",
      className: "nowrap",
      cell: (window) => (
        <>
          {window.active ? <span className="badge badge-pending">Active</span> : <span className="badge badge-unknown">Upcoming</span>}{" "}
          {window.next ? `${formatTimestamp(window.next.from)} – ${formatTimestamp(window.next.to)}` : null}
        </>
      ),
    },
    { header: "By", cell: (window) => window.createdBy },
    ...actionColumn<MaintenanceWindowRow>(canEdit, (window) => (
      <button
        className="button button-small"
        type="button"
        disabled={busy === window.id}
        onClick={() => act(window.id, { method: "DELETE", url: `/api/v1/alerts/maintenance-windows/${encodeURIComponent(window.id)}` })}
      >
        Delete
      </button>
    )),
  ];
  const done = () => setCreating(null);

  return (
    <section className="panel" aria-label="Silences and maintenance">
      <h2>Silences and maintenance windows</h2>
      <p className="muted">
        Silenced devices and labels are left out of the measurement, so the rule&apos;s value falls and it resolves. A silenced rule or
        scope is still evaluated but does not notify. During a maintenance window its rules do not notify, and drops inside it never count.
      </p>
      {canEdit && creating === null ? (
        <div className="toolbar">
          <button className="button" type="button" onClick={() => setCreating("silence")}>
            New silence
          </button>
          <button className="button" type="button" onClick={() => setCreating("window")}>
            New maintenance window
          </button>
        </div>
      ) : null}
      {creating === "silence" ? <AlertSilenceForm rules={rules.rules} onDone={done} onCancel={() => setCreating(null)} /> : null}
      {creating === "window" ? <MaintenanceWindowForm onDone={done} onCancel={() => setCreating(null)} /> : null}
      <MutationError error={write.error} />
      <h3>Silences</h3>
      <DataTable
        label="Silences"
        columns={silenceColumns}
        rows={silences.silences}
        rowKey={(silence) => silence.id}
        emptyText="No silences in force."
      />
      <h3>Maintenance windows</h3>
      <DataTable
        label="Maintenance windows"
        columns={windowColumns}
        rows={windows.windows}
        rowKey={(window) => window.id}
        emptyText="No active or upcoming maintenance windows."
      />
    </section>
  );
}
