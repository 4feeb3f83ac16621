import type { Db } from "@/lib/db/client.ts";
import { readCodeCounts, readReasonCounts } from "@/lib/incidents/incident-counts.ts";
import { getIncident, type IncidentDetails } from "@/lib/incidents/incidents.ts";
import { redactSecrets, type RedactionOptions } from "@/lib/security/redact.ts";

/** The incident as a file: summary, reason and code counts, affected devices, recovery curve and notes; unredacted. */
export function shapeIncidentExport(incident: IncidentDetails, generatedAt: Date) {
  const { devices, notes, recovery, reasonCounts, codeCounts, detectionKey: _detectionKey, ...summary } = incident;
  return {
    format: "linkscope-incident" as const,
    version: 1,
    generatedAt,
    incident: summary,
    reasons: readReasonCounts(reasonCounts),
    codes: readCodeCounts(codeCounts),
    affectedDevices: devices.map(({ incidentId: _incidentId, ...device }) => device),
    recovery,
    notes: notes.map((note) => ({ id: note.id.toString(), body: note.body, author: note.authorLabel, createdAt: note.createdAt })),
  };
}
export type IncidentExport = ReturnType<typeof shapeIncidentExport> & { redaction: { secrets: true; ips: boolean } };

/** `GET /api/v1/incidents/{id}/export`: null for an unknown incident. Credentials always removed, IPs by choice. */
export async function buildIncidentExport(
  db: Db,
  incidentId: string,
  options: RedactionOptions,
  now = new Date(),
): Promise<IncidentExport | null> {
  const incident = await getIncident(db, incidentId);
  if (!incident) return null;
  return redactSecrets({ ...shapeIncidentExport(incident, now), redaction: { secrets: true as const, ips: options.redactIps } }, options);
}
