import type { Db } from "@/lib/db/client.ts";
import { getIncident } from "@/lib/incidents/incidents.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { shapeIncidentExport } from "./build-incident-export.ts";
import { buildDeviceTicket } from "./build-support-bundle.ts";
import { redactSecrets, type RedactionOptions } from "@/lib/security/redact.ts";

/** Bounds: an incident can span thousands of devices, and one storming device thousands of events. */
export const BUNDLE_MAX_DEVICES = 50;
export const BUNDLE_MAX_EVENTS_PER_DEVICE = 500;
const BEFORE_MS = 5 * 60_000;
const AFTER_MS = 15 * 60_000;
const DIAGNOSIS_BEFORE_MS = 24 * 3_600_000;

/**
 * The incident window a bundle reads: from shortly before the start to a while after the end (so reconnects show),
 * never past now.
 */
export function getIncidentBundleWindow(incident: { startedAt: Date; endedAt: Date | null }, now: Date): { from: Date; to: Date } {
  const end = incident.endedAt ? Math.min(now.getTime(), incident.endedAt.getTime() + AFTER_MS) : now.getTime();
  return { from: new Date(incident.startedAt.getTime() - BEFORE_MS), to: new Date(Math.max(end, incident.startedAt.getTime() + 1)) };
}

/**
 * `GET /api/v1/incidents/{id}/support-bundle`: the incident export plus, for the affected devices with the most
 * drops (at most 50), their events and sessions in the incident window, the diagnosis verdict and findings, and
 * the vendor-ticket text. Everything passes through the one redaction. Null for an unknown incident.
 */
export async function buildIncidentSupportBundle(db: Db, incidentId: string, options: RedactionOptions, now = new Date()) {
  const incident = await getIncident(db, incidentId);
  if (!incident) return null;
  const window = getIncidentBundleWindow(incident, now);
  const chosen = [...incident.devices]
    .sort((a, b) => b.drops - a.drops || a.deviceId.localeCompare(b.deviceId))
    .slice(0, BUNDLE_MAX_DEVICES);
  const devices = [];
  // One device at a time: the web server's pool is small and a bundle is a rare, audited request.
  for (const affected of chosen) {
    const device = await getDevice(db, affected.deviceId, now);
    if (!device) continue;
    const scope = { deviceId: affected.deviceId, ...window };
    const events = await listDeviceEvents(db, { ...scope, limit: BUNDLE_MAX_EVENTS_PER_DEVICE });
    const sessions = await listDeviceSessions(db, scope);
    const diagnosis = await getDeviceDiagnosis(db, {
      deviceId: affected.deviceId,
      from: new Date(window.from.getTime() - DIAGNOSIS_BEFORE_MS),
      to: window.to,
    });
    const oldestFirst = [...events.events].reverse();
    const { supportTicket } = buildDeviceTicket(device, diagnosis, oldestFirst);
    devices.push({
      deviceId: affected.deviceId,
      drops: affected.drops,
      reason: affected.reason,
      device,
      diagnosis: {
        window: diagnosis.window,
        verdict: diagnosis.verdict?.verdict ?? null,
        findings: diagnosis.findings.map((finding) => ({
          title: finding.title,
          verdict: finding.verdict,
          severity: finding.severity,
          confidence: finding.confidence,
          codes: finding.codes,
        })),
        summary: diagnosis.summary,
      },
      supportTicket,
      events: oldestFirst,
      eventsTruncated: events.nextCursor !== null,
      sessions: sessions.sessions,
    });
  }
  return redactSecrets(
    {
      ...shapeIncidentExport(incident, now),
      format: "linkscope-incident-support-bundle" as const,
      redaction: { secrets: true as const, ips: options.redactIps },
      window,
      devicesIncluded: devices.length,
      devicesOmitted: incident.devices.length - chosen.length,
      devices,
    },
    options,
  );
}
export type IncidentSupportBundle = NonNullable<Awaited<ReturnType<typeof buildIncidentSupportBundle>>>;
