import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatCount, formatDuration } from "@/components/format.ts";
import { IncidentStatusBadge } from "@/components/incident-status-badge.tsx";
import { LocalTime } from "@/components/time-zone.tsx";
import { IncidentReasonsChart } from "@/components/incident-charts.tsx";
import { IncidentExports } from "@/components/incident-exports.tsx";
import { IncidentNoteForm } from "@/components/incident-note-form.tsx";
import { IncidentProbeEvidence } from "@/components/incident-probe-evidence.tsx";
import { AffectedDevicesTable, IncidentCodes, IncidentNotesList, IncidentRecoveryPanel } from "@/components/incident-parts.tsx";
import { IncidentShareLinks } from "@/components/incident-share-links.tsx";
import { formatReason } from "@/components/reason-style.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { readCodeCounts, readReasonCounts } from "@/lib/incidents/incident-counts.ts";
import { describeIncidentTrigger, getIncident } from "@/lib/incidents/incidents.ts";
import { listShareLinks } from "@/lib/share/share-links.ts";

export const metadata: Metadata = { title: "Incident" };

type IncidentPageProps = { params: Promise<{ id: string }> };

export default async function IncidentPage({ params }: IncidentPageProps) {
  const user = await requirePageUser();
  const { id } = await params;
  const db = getDb();
  const incident = await getIncident(db, id);
  if (!incident) notFound();
  const canShare = hasRole(user.role, "support");
  const shareLinks = canShare ? await listShareLinks(db, { incidentId: incident.id }) : [];
  const reasons = readReasonCounts(incident.reasonCounts);
  const codes = readCodeCounts(incident.codeCounts);
  const duration = (incident.endedAt ?? incident.lastDropAt).getTime() - incident.startedAt.getTime();

  return (
    <>
      <div className="page-header">
        <div>
          <p className="muted">
            <Link href="/incidents">Incidents</Link>
          </p>
          <h1>{incident.title}</h1>
          <p className="muted" data-testid="incident-summary">
            <IncidentStatusBadge status={incident.status} /> ·{" "}
            {incident.trigger === "manual"
              ? `declared by ${incident.createdBy ?? "support"}`
              : `detected by the worker (${describeIncidentTrigger(incident.trigger)})`}{" "}
            · started <LocalTime value={incident.startedAt} /> · drops over {formatDuration(duration)} ·{" "}
            {formatCount(incident.affectedDevices)} devices ·{" "}
            {[incident.source ?? "all sources", incident.brokerNode].filter(Boolean).join(" · ")}
          </p>
          {incident.connectedBaseline !== null ? (
            <p data-testid="incident-connected">
              Connected devices fell from {formatCount(incident.connectedBaseline)} to {formatCount(incident.connectedLow)}
              {incident.connectedRecoveredAt ? (
                <>
                  ; recovered <LocalTime value={incident.connectedRecoveredAt} />
                </>
              ) : (
                "; not recovered yet"
              )}
              .
            </p>
          ) : null}
          <IncidentProbeEvidence evidence={incident.probes} />
        </div>
      </div>
      <section className="panel" aria-labelledby="reasons-heading">
        <div className="panel-header">
          <h2 id="reasons-heading">Reasons</h2>
          <p className="muted">main reason: {formatReason(incident.dominantReason)}</p>
        </div>
        <IncidentReasonsChart reasons={reasons} />
        <IncidentCodes codes={codes} renderCode={(code) => <Link href={`/codes/${encodeURIComponent(code)}`}>{code}</Link>} />
      </section>
      <IncidentRecoveryPanel curve={incident.recovery} />
      <section className="panel" aria-labelledby="devices-heading">
        <div className="panel-header">
          <h2 id="devices-heading">Affected devices</h2>
        </div>
        <AffectedDevicesTable devices={incident.devices} renderDevice={(deviceId) => <Link href={deviceHref(deviceId)}>{deviceId}</Link>} />
      </section>
      <section className="panel" aria-labelledby="notes-heading">
        <div className="panel-header">
          <h2 id="notes-heading">Notes</h2>
        </div>
        <IncidentNotesList
          notes={incident.notes.map((note) => ({
            id: note.id.toString(),
            body: note.body,
            createdAt: note.createdAt,
            author: note.authorLabel,
          }))}
        />
        {canShare ? <IncidentNoteForm incidentId={incident.id} /> : null}
      </section>
      {canShare ? (
        <>
          <IncidentExports incidentId={incident.id} />
          <IncidentShareLinks incidentId={incident.id} initialLinks={serializeForClient(shareLinks)} />
        </>
      ) : null}
    </>
  );
}
