import type { ReactNode } from "react";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { RecoveryCurve } from "@/lib/incidents/shape-recovery-curve.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatCount } from "./format.ts";
import { IncidentRecoveryChart } from "./incident-charts.tsx";
import { LocalTime } from "./time-zone.tsx";
import { formatReason } from "./reason-style.ts";

/** The parts the incident page and an incident's shared page have in common. */

export function IncidentRecoveryPanel({ curve }: { curve: RecoveryCurve }) {
  return (
    <section className="panel" aria-labelledby="recovery-heading">
      <div className="panel-header">
        <h2 id="recovery-heading">Recovery</h2>
        <p className="muted" data-testid="recovery-summary">
          {formatCount(curve.reconnected)} of {formatCount(curve.affected)} devices reconnected
        </p>
      </div>
      <IncidentRecoveryChart curve={curve} />
    </section>
  );
}

type AffectedDevice = { deviceId: string; firstDropAt: Date; drops: number; reason: Reason };

/** `renderDevice` decides whether a device ID links to its page (signed in) or stays plain text (shared). */
export function AffectedDevicesTable({
  devices,
  renderDevice,
}: {
  devices: readonly AffectedDevice[];
  renderDevice: (deviceId: string) => ReactNode;
}) {
  const columns: DataTableColumn<AffectedDevice>[] = [
    { header: "Device", cell: (device) => renderDevice(device.deviceId) },
    { header: "First drop", className: "nowrap", cell: (device) => <LocalTime value={device.firstDropAt} /> },
    { header: "Drops", numeric: true, cell: (device) => formatCount(device.drops) },
    { header: "Reason", cell: (device) => formatReason(device.reason) },
  ];
  return (
    <DataTable
      label="Affected devices"
      columns={columns}
      rows={devices}
      rowKey={(device) => device.deviceId}
      emptyText="No device dropped in this incident."
    />
  );
}

/** Notes oldest first; `author` is left out on shared pages. */
export function IncidentNotesList({ notes }: { notes: readonly { id: string; body: string; createdAt: Date; author?: string }[] }) {
  return (
    <>
      {notes.length === 0 ? <p className="muted">No notes yet.</p> : null}
      <ul aria-label="Notes" className="stack">
        {notes.map((note) => (
          <li key={note.id}>
            <p style={{ whiteSpace: "pre-wrap", margin: 0 }}>{note.body}</p>
            <p className="muted">
              {note.author ? `${note.author} · ` : null}
              <LocalTime value={note.createdAt} />
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** "Codes: a (3), b (1)"; `renderCode` links a code to its page (signed in) or shows it as text (shared). */
export function IncidentCodes({
  codes,
  renderCode,
}: {
  codes: readonly { code: string; drops: number }[];
  renderCode: (code: string) => ReactNode;
}) {
  if (codes.length === 0) return null;
  return (
    <p className="muted">
      Codes:{" "}
      {codes.map(({ code, drops }, index) => (
        <span key={code}>
          {index > 0 ? ", " : ""}
          {renderCode(code)} ({formatCount(drops)})
        </span>
      ))}
    </p>
  );
}
