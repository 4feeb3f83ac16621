import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";

export type DeviceSession = {
  id: string;
  sessionKey: string;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  endReason: Reason | null;
  endCode: string | null;
  /** The end was inferred from a later connect because the disconnect never arrived. */
  endInferred: boolean;
  clientIp: string | null;
};

/** Bounds a timeline; a device in a reconnect storm can open thousands of sessions a day. */
export const MAX_SESSIONS_PER_RANGE = 5000;

export type DeviceSessionList = { sessions: DeviceSession[]; truncated: boolean };

/** Sessions overlapping [from, to), oldest first; when over the cap, the newest ones are kept. */
export async function listDeviceSessions(db: Db, input: { deviceId: string; from: Date; to: Date }): Promise<DeviceSessionList> {
  const rows = await db.session.findMany({
    where: {
      deviceId: input.deviceId,
      startedAt: { lt: input.to },
      OR: [{ endedAt: null }, { endedAt: { gte: input.from } }],
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: MAX_SESSIONS_PER_RANGE + 1,
    omit: { deviceId: true, startEventId: true, endEventId: true },
  });
  const kept = rows.slice(0, MAX_SESSIONS_PER_RANGE).reverse();
  return {
    sessions: kept.map((row) => ({
      ...row,
      id: row.id.toString(),
      durationMs: row.durationMs === null ? null : Number(row.durationMs),
    })),
    truncated: rows.length > MAX_SESSIONS_PER_RANGE,
  };
}
