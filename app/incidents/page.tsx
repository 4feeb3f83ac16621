import type { Metadata } from "next";
import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table.tsx";
import { formatCount, formatDuration } from "@/components/format.ts";
import { IncidentStatusBadge } from "@/components/incident-status-badge.tsx";
import { LocalTime } from "@/components/time-zone.tsx";
import { LiveRouteRefresh } from "@/components/live-route-refresh.tsx";
import { ManualIncidentForm } from "@/components/manual-incident-form.tsx";
import { formatReason } from "@/components/reason-style.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { describeIncidentTrigger, listIncidents } from "@/lib/incidents/incidents.ts";
import { toUtcInput } from "@/lib/time/utc-input.ts";

export const metadata: Metadata = { title: "Incidents" };
/** Re-rendered on new fleet events at most this often (the worker opens and extends incidents from them). */
const INCIDENTS_REFRESH_MS = 1000;

type IncidentRow = Awaited<ReturnType<typeof listIncidents>>[number];

function incidentColumns(now: Date): DataTableColumn<IncidentRow>[] {
  return [
    { header: "Started", className: "nowrap", cell: (incident) => <LocalTime value={incident.startedAt} /> },
    {
      header: "Incident",
      className: "wrap-anywhere",
      cell: (incident) => <Link href={`/incidents/${incident.id}`}>{incident.title}</Link>,
    },
    {
      header: "Status",
      className: "nowrap",
      cell: (incident) => (
        <>
          <IncidentStatusBadge status={incident.status} />
          {incident.trigger === "mass_drop" ? null : <span className="muted"> · {describeIncidentTrigger(incident.trigger)}</span>}
        </>
      ),
    },
    {
      header: "Duration",
      className: "nowrap",
      cell: (incident) => (
        <>
          {formatDuration(
            (incident.endedAt ?? (incident.status === "open" ? now : incident.lastDropAt)).getTime() - incident.startedAt.getTime(),
          )}
          {incident.status === "open" ? <span className="muted"> so far</span> : null}
        </>
      ),
    },
    { header: "Devices", numeric: true, cell: (incident) => formatCount(incident.affectedDevices) },
    { header: "Main reason", cell: (incident) => formatReason(incident.dominantReason) },
    {
      header: "Scope",
      className: "wrap-anywhere",
      cell: (incident) => [incident.source ?? "all sources", incident.brokerNode].filter(Boolean).join(" · "),
    },
  ];
}

export default async function IncidentsPage() {
  const user = await requirePageUser();
  const incidents = await listIncidents(getDb());
  const now = new Date();
  return (
    <>
      <LiveRouteRefresh minIntervalMs={INCIDENTS_REFRESH_MS} />
      <div className="page-header">
        <div>
          <h1>Incidents</h1>
          <p className="muted">Many devices dropping together, detected by the ingest worker or declared by support. Newest first.</p>
        </div>
      </div>
      <section className="panel">
        <DataTable
          label="Incidents"
          columns={incidentColumns(now)}
          rows={incidents}
          rowKey={(incident) => incident.id}
          emptyText="No incidents yet."
        />
      </section>
      {hasRole(user.role, "support") ? (
        <ManualIncidentForm defaultFrom={toUtcInput(new Date(now.getTime() - 3_600_000))} defaultTo={toUtcInput(now)} />
      ) : null}
    </>
  );
}
