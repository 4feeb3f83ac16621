import type { Db } from "@/lib/db/client.ts";
import { decodeEventCursor } from "@/lib/queries/cursor.ts";
import { listDeviceEvents, type DeviceEvent } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions, type DeviceSession } from "@/lib/queries/list-device-sessions.ts";

/** Exports are bounded: a storming device can log hundreds of thousands of events in a window. */
export const MAX_EXPORT_EVENTS = 20_000;
const PAGE_SIZE = 2_000;

export type DeviceHistory = {
  deviceId: string;
  from: Date;
  to: Date;
  /** Oldest first. */
  events: DeviceEvent[];
  sessions: DeviceSession[];
  /** More events or sessions exist in the window than the export carries; the newest are kept. */
  truncated: boolean;
};

/** A device's events and sessions in [from, to), unredacted: callers pass it through redactSecrets. */
export async function loadDeviceHistory(db: Db, input: { deviceId: string; from: Date; to: Date }): Promise<DeviceHistory> {
  const events: DeviceEvent[] = [];
  let cursor: string | null = null;
  let more = true;
  while (more && events.length < MAX_EXPORT_EVENTS) {
    const page = await listDeviceEvents(db, {
      ...input,
      limit: Math.min(PAGE_SIZE, MAX_EXPORT_EVENTS - events.length),
      cursor: cursor === null ? undefined : decodeCursorOrThrow(cursor),
    });
    events.push(...page.events);
    cursor = page.nextCursor;
    more = cursor !== null;
  }
  const sessions = await listDeviceSessions(db, input);
  return { ...input, events: events.reverse(), sessions: sessions.sessions, truncated: more || sessions.truncated };
}

function decodeCursorOrThrow(cursor: string) {
  const decoded = decodeEventCursor(cursor);
  if (!decoded) throw new Error("listDeviceEvents returned a cursor it cannot read");
  return decoded;
}
