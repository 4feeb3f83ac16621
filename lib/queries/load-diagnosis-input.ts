import type { Db } from "@/lib/db/client.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext } from "@/lib/diagnosis/types.ts";
import { listDeviceSessions } from "./list-device-sessions.ts";

/** The diagnosis looks at two weeks by default: long enough for daily JWT lifetimes, short enough to stay current. */
export const DIAGNOSIS_WINDOW_MS = 14 * 86_400_000;
/** Bound on the events one diagnosis reads; a device in a storm keeps its newest events. */
export const MAX_DIAGNOSIS_EVENTS = 20_000;

const MINUTE = 60_000;

type FleetMinuteRow = { bucket: Date; devices: number };

/**
 * For each minute of this device's drops, the other devices that dropped within a minute of it, from
 * device_drop_minute (one row per device and minute, kept by the writer). Bounded by the device's own drop minutes,
 * so the fleet-wide analyzer stays a pure function.
 */
async function loadFleetContext(db: Db, deviceId: string, drops: readonly DiagnosisEvent[]): Promise<FleetContext> {
  const minutes = new Set<number>();
  for (const drop of drops) minutes.add(Math.floor(drop.occurredAt.getTime() / MINUTE) * MINUTE);
  const [devicesTotal, rows] = await Promise.all([
    db.device.count(),
    minutes.size === 0
      ? Promise.resolve([] as FleetMinuteRow[])
      : db.$queryRaw<FleetMinuteRow[]>`
          SELECT m.minute AS bucket, COUNT(DISTINCT d.device_id)::int AS devices
          FROM unnest(${[...minutes].map((minute) => new Date(minute).toISOString())}::timestamptz[]) AS m(minute)
          JOIN device_drop_minute d
            ON d.bucket BETWEEN m.minute - interval '1 minute' AND m.minute + interval '1 minute'
           AND d.device_id <> ${deviceId}
          GROUP BY m.minute`,
  ]);
  return { devicesTotal, otherDevicesDropping: new Map(rows.map((row) => [row.bucket.getTime(), row.devices])) };
}

/** A device's events and sessions over [from, to) plus fleet context: everything `diagnoseDevice` needs. */
export async function loadDiagnosisInput(db: Db, input: { deviceId: string; from: Date; to: Date }): Promise<DiagnosisInput> {
  const rows = await db.connectionEvent.findMany({
    where: { deviceId: input.deviceId, occurredAt: { gte: input.from, lt: input.to } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: MAX_DIAGNOSIS_EVENTS + 1,
    select: { id: true, kind: true, occurredAt: true, reason: true, initiator: true, code: true, message: true, clientIp: true, keepaliveSec: true },
  });
  const events: DiagnosisEvent[] = rows
    .slice(0, MAX_DIAGNOSIS_EVENTS)
    .reverse()
    .map((row) => ({ ...row, id: row.id.toString() }));
  const drops = events.filter((event) => event.kind === "disconnected" && event.reason !== "client_disconnect");
  const [sessions, fleet] = await Promise.all([listDeviceSessions(db, input), loadFleetContext(db, input.deviceId, drops)]);
  return {
    deviceId: input.deviceId,
    events,
    sessions: sessions.sessions,
    fleet,
    window: { from: input.from, to: input.to },
    truncated: rows.length > MAX_DIAGNOSIS_EVENTS,
  };
}
