import type { Metadata } from "next";
import Link from "next/link";
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

/** `2026-11-22T10:00` in UTC, the value a datetime-local input takes. */

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
        {incidents.length === 0 ? (
          <p className="muted">No incidents yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Incidents">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Incident</th>
                  <th scope="col">Status</th>
                  <th scope="col">Duration</th>
                  <th scope="col" className="num">
                    Devices
                  </th>
                  <th scope="col">Main reason</th>
                  <th scope="col">Scope</th>
                </tr>
              </thead>
              <tbody>
                {incidents.map((incident) => (
                  <tr key={incident.id}>
                    <td className="nowrap">
                      <LocalTime value={incident.startedAt} />
                    </td>
                    <td>
                      <Link href={`/incidents/${incident.id}`}>{incident.title}</Link>
                    </td>
                    <td className="nowrap">
                      <IncidentStatusBadge status={incident.status} />
                      {incident.trigger === "mass_drop" ? null : (
                        <span className="muted"> · {describeIncidentTrigger(incident.trigger)}</span>
                      )}
                    </td>
                    <td className="nowrap" data-testid="incident-duration">
                      {formatDuration(
                        (incident.endedAt ?? (incident.status === "open" ? now : incident.lastDropAt)).getTime() -
                          incident.startedAt.getTime(),
                      )}
                      {incident.status === "open" ? <span className="muted"> so far</span> : null}
                    </td>
                    <td className="num">{formatCount(incident.affectedDevices)}</td>
                    <td>{formatReason(incident.dominantReason)}</td>
                    <td>{[incident.source ?? "all sources", incident.brokerNode].filter(Boolean).join(" · ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {hasRole(user.role, "support") ? (
        <ManualIncidentForm defaultFrom={toUtcInput(new Date(now.getTime() - 3_600_000))} defaultTo={toUtcInput(now)} />
      ) : null}
    </>
  );
}
