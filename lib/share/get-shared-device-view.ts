import type { Db } from "@/lib/db/client.ts";
import type { DeviceDiagnosis } from "@/lib/diagnosis/types.ts";
import type { EventKind, Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";

export const SHARED_EVENTS_SHOWN = 500;

export type SharedEvent = {
  id: string;
  occurredAt: Date;
  kind: EventKind;
  reason: Reason;
  code: string | null;
  message: string | null;
  clientIp: string | null;
};
export type SharedSession = {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  endReason: Reason | null;
  endCode: string | null;
  endInferred: boolean;
};

export type SharedDeviceView = {
  deviceId: string;
  window: { from: Date; to: Date };
  expiresAt: Date;
  events: SharedEvent[];
  eventsTruncated: boolean;
  sessions: SharedSession[];
  diagnosis: DeviceDiagnosis;
};

/**
 * Everything a share link shows, read only for the link's device and window: an allow-list of fields (no raw
 * payloads, no usernames), passed through the export redaction with IP addresses always masked.
 */
export async function getSharedDeviceView(
  db: Db,
  link: { deviceId: string; from: Date; to: Date; expiresAt: Date },
): Promise<SharedDeviceView> {
  const scope = { deviceId: link.deviceId, from: link.from, to: link.to };
  const [events, sessions, diagnosis] = await Promise.all([
    listDeviceEvents(db, { ...scope, limit: SHARED_EVENTS_SHOWN }),
    listDeviceSessions(db, scope),
    getDeviceDiagnosis(db, scope),
  ]);
  const view: SharedDeviceView = {
    deviceId: link.deviceId,
    window: { from: link.from, to: link.to },
    expiresAt: link.expiresAt,
    events: events.events.map((event) => ({
      id: event.id,
      occurredAt: event.occurredAt,
      kind: event.kind,
      reason: event.reason,
      code: event.code,
      message: event.message,
      clientIp: event.clientIp,
    })),
    eventsTruncated: events.nextCursor !== null,
    sessions: sessions.sessions.map((session) => ({
      id: session.id,
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      durationMs: session.durationMs,
      endReason: session.endReason,
      endCode: session.endCode,
      endInferred: session.endInferred,
    })),
    diagnosis,
  };
  return redactSecrets(view, { redactIps: true });
}
