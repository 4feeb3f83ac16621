import type { Db } from "@/lib/db/client.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext } from "@/lib/diagnosis/types.ts";
import { listDeviceSessions } from "./list-device-sessions.ts";

/** The diagnosis looks at two weeks by default: long enough for daily JWT lifetimes, short enough to stay current. */
export const DIAGNOSIS_WINDOW_MS = 14 * 86_400_000;
/** Bound on the events one diagnosis reads; a device in a storm keeps its newest events. */
export const MAX_DIAGNOSIS_EVENTS = 20_000;

const MINUTE = 60_000;

type FleetMinuteRow = { bucket: Date; drops: number };

/**
 * Fleet drops per minute, read from the rollups only for the minutes around this device's drops, so the
 * fleet-wide analyzer stays a pure function and the query stays bounded by the device's own drop count.
 */
async function loadFleetContext(db: Db, drops: readonly DiagnosisEvent[]): Promise<FleetContext> {
  const minutes = new Set<number>();
  for (const drop of drops) {
    const minute = Math.floor(drop.occurredAt.getTime() / MINUTE) * MINUTE;
    minutes.add(minute - MINUTE).add(minute).add(minute + MINUTE);
  }
  const [devicesTotal, rows] = await Promise.all([
    db.device.count(),
    minutes.size === 0
      ? Promise.resolve([] as FleetMinuteRow[])
      : db.$queryRaw<FleetMinuteRow[]>`
          SELECT bucket, SUM(count)::int AS drops
          FROM event_rollup_minute
          WHERE kind = 'disconnected' AND reason <> 'client_disconnect'
            AND bucket = ANY(${[...minutes].map((minute) => new Date(minute).toISOString())}::timestamptz[])
          GROUP BY bucket`,
  ]);
  return { devicesTotal, dropsByMinute: new Map(rows.map((row) => [row.bucket.getTime(), row.drops])) };
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
  const [sessions, fleet] = await Promise.all([listDeviceSessions(db, input), loadFleetContext(db, drops)]);
  return {
    deviceId: input.deviceId,
    events,
    sessions: sessions.sessions,
    fleet,
    window: { from: input.from, to: input.to },
    truncated: rows.length > MAX_DIAGNOSIS_EVENTS,
  };
}
