import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { readCodeCounts, readReasonCounts } from "@/lib/incidents/incident-counts.ts";
import { getIncident } from "@/lib/incidents/incidents.ts";
import type { RecoveryCurve } from "@/lib/incidents/shape-recovery-curve.ts";

export const SHARED_DEVICES_SHOWN = 500;

export type SharedIncidentView = {
  expiresAt: Date;
  title: string;
  trigger: "mass_drop" | "manual" | "connected_dip";
  status: "open" | "closed";
  startedAt: Date;
  lastDropAt: Date;
  endedAt: Date | null;
  scope: { source: string | null; brokerNode: string | null };
  affectedDevices: number;
  dominantReason: Reason | null;
  reasons: { reason: Reason; drops: number }[];
  codes: { code: string; drops: number }[];
  connected: { baseline: number; low: number | null; recoveredAt: Date | null } | null;
  recovery: RecoveryCurve;
  devices: { deviceId: string; firstDropAt: Date; drops: number; reason: Reason }[];
  devicesTruncated: boolean;
  notes: { id: string; body: string; createdAt: Date }[];
};

/**
 * What an incident link shows, read only for the link's incident: an allow-list of fields (no note authors, no
 * creator, no device metadata), passed through the export redaction with IP addresses always masked.
 * Null when the incident no longer exists.
 */
export async function getSharedIncidentView(db: Db, link: { incidentId: string; expiresAt: Date }): Promise<SharedIncidentView | null> {
  const incident = await getIncident(db, link.incidentId);
  if (!incident) return null;
  const view: SharedIncidentView = {
    expiresAt: link.expiresAt,
    title: incident.title,
    trigger: incident.trigger,
    status: incident.status,
    startedAt: incident.startedAt,
    lastDropAt: incident.lastDropAt,
    endedAt: incident.endedAt,
    scope: { source: incident.source, brokerNode: incident.brokerNode },
    affectedDevices: incident.affectedDevices,
    dominantReason: incident.dominantReason,
    reasons: readReasonCounts(incident.reasonCounts),
    codes: readCodeCounts(incident.codeCounts),
    connected:
      incident.connectedBaseline === null
        ? null
        : { baseline: incident.connectedBaseline, low: incident.connectedLow, recoveredAt: incident.connectedRecoveredAt },
    recovery: incident.recovery,
    devices: incident.devices
      .slice(0, SHARED_DEVICES_SHOWN)
      .map((device) => ({ deviceId: device.deviceId, firstDropAt: device.firstDropAt, drops: device.drops, reason: device.reason })),
    devicesTruncated: incident.devices.length > SHARED_DEVICES_SHOWN,
    notes: incident.notes.map((note) => ({ id: note.id.toString(), body: note.body, createdAt: note.createdAt })),
  };
  return redactSecrets(view, { redactIps: true });
}
