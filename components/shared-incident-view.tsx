import type { SharedIncidentView } from "@/lib/share/get-shared-incident-view.ts";
import { SHARED_DEVICES_SHOWN } from "@/lib/share/get-shared-incident-view.ts";
import { formatCount, formatDuration } from "./format.ts";
import { IncidentReasonsChart } from "./incident-charts.tsx";
import { IncidentStatusBadge } from "./incident-status-badge.tsx";
import { LocalTime } from "./time-zone.tsx";
import { AffectedDevicesTable, IncidentCodes, IncidentNotesList, IncidentRecoveryPanel } from "./incident-parts.tsx";
import { formatReason } from "./reason-style.ts";

const TRIGGER_TEXT: Record<SharedIncidentView["trigger"], string> = {
  mass_drop: "many devices dropped together",
  connected_dip: "the number of connected devices fell",
  manual: "declared by support",
};

/**
 * An incident as a share link shows it: what happened, how many devices, reasons and codes, recovery, the
 * affected devices and the notes. Device IDs are plain text: nothing here leads out of the link's scope.
 */
export function SharedIncident({ view }: { view: SharedIncidentView }) {
  const duration = (view.endedAt ?? view.lastDropAt).getTime() - view.startedAt.getTime();
  const scope = view.scope.source === null ? "the whole fleet" : [view.scope.source, view.scope.brokerNode].filter(Boolean).join(" · ");
  return (
    <>
      <div className="page-header">
        <div>
          <p className="muted">
            Shared read-only view · link expires <LocalTime value={view.expiresAt} />
          </p>
          <h1 data-testid="shared-incident-title">{view.title}</h1>
          <p className="muted" data-testid="shared-incident-summary">
            <IncidentStatusBadge status={view.status} /> · {TRIGGER_TEXT[view.trigger]} · started <LocalTime value={view.startedAt} /> ·
            over {formatDuration(duration)} · <span data-testid="shared-incident-devices">{formatCount(view.affectedDevices)} devices</span>{" "}
            · {scope}
          </p>
          {view.connected ? (
            <p data-testid="shared-incident-connected">
              Connected devices fell from {formatCount(view.connected.baseline)} to {formatCount(view.connected.low)}
              {view.connected.recoveredAt ? (
                <>
                  ; recovered <LocalTime value={view.connected.recoveredAt} />
                </>
              ) : (
                "; not recovered yet"
              )}
              .
            </p>
          ) : null}
        </div>
      </div>
      <section className="panel" aria-labelledby="shared-reasons-heading">
        <div className="panel-header">
          <h2 id="shared-reasons-heading">Reasons</h2>
          <p className="muted">main reason: {formatReason(view.dominantReason)}</p>
        </div>
        <IncidentReasonsChart reasons={view.reasons} />
        <p data-testid="shared-incident-reasons">
          Drops by reason:{" "}
          {view.reasons.length === 0
            ? "none recorded"
            : view.reasons.map((entry) => `${formatReason(entry.reason)} ${formatCount(entry.drops)}`).join(", ")}
        </p>
        <IncidentCodes codes={view.codes} renderCode={(code) => <code>{code}</code>} />
      </section>
      <IncidentRecoveryPanel curve={view.recovery} />
      <section className="panel" aria-labelledby="shared-devices-heading">
        <div className="panel-header">
          <h2 id="shared-devices-heading">Affected devices</h2>
        </div>
        {view.devicesTruncated ? <p className="muted">The first {formatCount(SHARED_DEVICES_SHOWN)} devices to drop.</p> : null}
        <AffectedDevicesTable devices={view.devices} renderDevice={(deviceId) => <code>{deviceId}</code>} />
      </section>
      <section className="panel" aria-labelledby="shared-notes-heading">
        <h2 id="shared-notes-heading">Notes</h2>
        <IncidentNotesList notes={view.notes} />
      </section>
    </>
  );
}
