import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { loadIncidentProbeEvidence } from "@/lib/probe-schedule/describe-incident-probes.ts";
import { redactText } from "@/lib/security/redact.ts";
import { shapeRecoveryCurve, type RecoveryCurve } from "./shape-recovery-curve.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

export const IncidentIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const LIST_LIMIT = 100;

const TRIGGER_LABELS = { mass_drop: "mass drop", connected_dip: "connected-device dip", manual: "manual" } as const;

export function describeIncidentTrigger(trigger: keyof typeof TRIGGER_LABELS): string {
  return TRIGGER_LABELS[trigger];
}

export async function listIncidents(db: Db) {
  const incidents = await db.incident.findMany({
    orderBy: { startedAt: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      trigger: true,
      status: true,
      title: true,
      startedAt: true,
      endedAt: true,
      lastDropAt: true,
      source: true,
      brokerNode: true,
      affectedDevices: true,
      dominantReason: true,
    },
  });
  return incidents.map((incident) => ({ ...incident, title: redactText(incident.title) }));
}
export type IncidentSummary = Awaited<ReturnType<typeof listIncidents>>[number];

/** One incident with its affected devices, notes and recovery curve, or null; titles and notes are typed by people, who paste credentials. */
export async function getIncident(db: Db, id: string) {
  if (!IncidentIdPattern.test(id)) return null;
  const incident = await db.incident.findUnique({
    where: { id },
    include: { devices: { orderBy: [{ firstDropAt: "asc" }, { deviceId: "asc" }] }, notes: { orderBy: { createdAt: "asc" } } },
  });
  if (!incident) return null;
  const notes = incident.notes.map((note) => ({ ...note, body: redactText(note.body) }));
  const [recovery, probes] = await Promise.all([
    getRecoveryCurve(db, incident.id, incident.startedAt),
    loadIncidentProbeEvidence(db, incident),
  ]);
  return { ...incident, title: redactText(incident.title), notes, recovery, probes };
}
export type IncidentDetails = NonNullable<Awaited<ReturnType<typeof getIncident>>>;

/** Each affected device's first connect after its drop (the (device_id, occurred_at) index answers each one). */
async function getRecoveryCurve(db: Db, incidentId: string, startedAt: Date): Promise<RecoveryCurve> {
  const rows = await queryRows(
    db,
    "getRecoveryCurve",
    z.object({ reconnectedAt: SqlDate.nullable() }),
    Prisma.sql`
    SELECT (SELECT MIN(e.occurred_at) FROM connection_events e
            WHERE e.device_id = d.device_id AND e.kind = 'connected' AND e.occurred_at >= d.first_drop_at) AS "reconnectedAt"
    FROM incident_devices d
    WHERE d.incident_id = ${incidentId}`,
  );
  return shapeRecoveryCurve(
    startedAt,
    rows.map((row) => row.reconnectedAt),
  );
}

/** Adds a note (audited), or returns null when there is no such incident. */
export async function addIncidentNote(db: Db, input: { incidentId: string; body: string }, by: { actor: Actor; ip?: string | null }) {
  if (!IncidentIdPattern.test(input.incidentId) || (await db.incident.count({ where: { id: input.incidentId } })) === 0) return null;
  return db.$transaction(async (tx) => {
    const note = await tx.incidentNote.create({ data: { ...input, authorLabel: by.actor.label } });
    await recordAuditEvent(tx, {
      action: "incident.note_added",
      actor: by.actor,
      ip: by.ip,
      target: { type: "incident", id: input.incidentId },
      details: { noteId: note.id.toString() },
    });
    return note;
  });
}
