import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { DeviceState } from "./search-devices.ts";

export type DroppingDevice = {
  deviceId: string;
  state: DeviceState;
  /** Disconnects the client did not ask for (every reason except client_disconnect). */
  drops: number;
  failedConnects: number;
  /** Most frequent reason among those drops and failed connects. */
  topReason: Reason | null;
  lastDropAt: Date;
};

/**
 * Devices with the most unrequested disconnects and failed connects in [from, to). Reads raw events
 * through the occurred_at index; the window is short (the overview uses 24 h), so the scan stays bounded.
 */
export async function listTopDroppingDevices(
  db: Db,
  input: { from: Date; to: Date; limit: number },
): Promise<DroppingDevice[]> {
  return db.$queryRaw<DroppingDevice[]>`
    SELECT e.device_id AS "deviceId",
           d.state::text AS state,
           COUNT(*) FILTER (WHERE e.kind = 'disconnected')::int AS drops,
           COUNT(*) FILTER (WHERE e.kind = 'connect_failed')::int AS "failedConnects",
           mode() WITHIN GROUP (ORDER BY e.reason::text) AS "topReason",
           MAX(e.occurred_at) AS "lastDropAt"
    FROM connection_events e
    JOIN devices d ON d.id = e.device_id
    WHERE e.occurred_at >= ${input.from} AND e.occurred_at < ${input.to}
      AND e.kind IN ('disconnected', 'connect_failed')
      AND NOT (e.kind = 'disconnected' AND e.reason = 'client_disconnect')
    GROUP BY e.device_id, d.state
    ORDER BY COUNT(*) DESC, drops DESC, e.device_id
    LIMIT ${input.limit}`;
}
