import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { deleteInChunks } from "./delete-in-chunks.ts";

/**
 * Devices per statement: each deleted device fires the history triggers (its events and sessions, by index, in every
 * partition) and cascades to its incident, probe, firmware and rollout rows.
 */
const DEVICES_PER_CHUNK = 1_000;

/**
 * Forgets devices that have been silent since `cutoff`: no event and no change to the row since then (the writer and
 * every metadata edit set updated_at), not connected now, in no open incident and shown by no usable share link.
 * A fleet whose client IDs change on every boot leaves one dead row per ID, in devices and in every table keyed by
 * device; by the time a device is this silent its events, minutes and hours are past their own periods (decision 069).
 * A writer storing a new event for a device deleted here meanwhile puts the row back (record-events.ts, readDeviceStates).
 */
export async function expireSilentDevices(db: Db, cutoff: Date, now: Date, deadline = Infinity): Promise<number> {
  return deleteInChunks(
    async () => {
      const [row] = await queryRows(
        db,
        "expireSilentDevices",
        z.object({ n: z.number() }),
        Prisma.sql`
      WITH candidates AS (
        SELECT d.id FROM devices d
        WHERE d.updated_at < ${cutoff} AND d.state <> 'online'
          AND NOT EXISTS (
            SELECT 1 FROM incident_devices x JOIN incidents i ON i.id = x.incident_id WHERE x.device_id = d.id AND i.status = 'open')
          AND NOT EXISTS (
            SELECT 1 FROM share_links s WHERE s.device_id = d.id AND s.expires_at > ${now} AND s.revoked_at IS NULL)
        LIMIT ${DEVICES_PER_CHUNK}),
      gone AS (
        -- Checked again on the row itself: a writer that updated it since the candidates were read wins.
        DELETE FROM devices d USING candidates c
        WHERE d.id = c.id AND d.updated_at < ${cutoff} AND d.state <> 'online'
        RETURNING d.id),
      latest AS (DELETE FROM device_reason_latest l USING gone WHERE l.device_id = gone.id)
      SELECT COUNT(*)::int AS n FROM gone`,
      );
      return row?.n ?? 0;
    },
    DEVICES_PER_CHUNK,
    deadline,
  );
}
