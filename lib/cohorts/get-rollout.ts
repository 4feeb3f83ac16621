import { Prisma, type Db } from "@/lib/db/client.ts";
import { deviceMetadataConditions, scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { DROP_CONDITION, REFUSAL_CONDITION } from "./drop-conditions.ts";
import { summarizeRollout, type RolloutDevice, type RolloutPeriodTotals, type RolloutSummary } from "./shape-rollout.ts";

export type FirmwareRollout = { firmware: string; devices: number; firstMoveAt: Date; lastMoveAt: Date };

/** Versions devices moved to (from another version), most recent rollout first. */
export async function listFirmwareRollouts(db: Db, limit = 50): Promise<FirmwareRollout[]> {
  return db.$queryRaw<FirmwareRollout[]>`
    SELECT to_firmware AS firmware, COUNT(DISTINCT device_id)::int AS devices, MIN(changed_at) AS "firstMoveAt", MAX(changed_at) AS "lastMoveAt"
    FROM device_firmware_changes
    WHERE from_firmware IS NOT NULL AND to_firmware IS NOT NULL
    GROUP BY to_firmware
    ORDER BY "lastMoveAt" DESC, firmware
    LIMIT ${limit}`;
}

/** Most devices listed with their own before / after. */
const DEVICE_LIMIT = 20;

/**
 * Each device that moved to `firmware` (its latest move there) against itself: the `spanHours` before the move
 * (back to its previous firmware change at most) and after it (up to now or its next change). Totals add every
 * device's periods, so the comparison is within devices and a fleet that changes composition does not fool it.
 * A source / broker-node filter keeps the devices there now and counts only their drops and refusals there.
 */
export async function getFirmwareRollout(
  db: Db,
  input: { firmware: string; spanHours: number; filter: FleetFilter; now?: Date },
): Promise<RolloutSummary> {
  const now = input.now ?? new Date();
  const span = Prisma.sql`make_interval(secs => ${input.spanHours * 3600}::float8)`;
  const rows = await db.$queryRaw<{ totals: { before: RolloutPeriodTotals; after: RolloutPeriodTotals; devices: number; worse: number } | null; devices: RolloutDevice[] | null }[]>`
    WITH moves AS (
      SELECT DISTINCT ON (c.device_id) c.device_id, c.changed_at AS at, c.from_firmware
      FROM device_firmware_changes c
      WHERE c.to_firmware = ${input.firmware} AND c.from_firmware IS NOT NULL AND c.changed_at <= ${now}
      ORDER BY c.device_id, c.changed_at DESC
    ), spans AS (
      SELECT m.device_id, m.at, m.from_firmware,
             GREATEST(m.at - ${span}, COALESCE(
               (SELECT MAX(p.changed_at) FROM device_firmware_changes p WHERE p.device_id = m.device_id AND p.changed_at < m.at), '-infinity')) AS before_from,
             LEAST(m.at + ${span}, ${now}::timestamptz, COALESCE(
               (SELECT MIN(n.changed_at) FROM device_firmware_changes n WHERE n.device_id = m.device_id AND n.changed_at > m.at), 'infinity')) AS after_to
      FROM moves m JOIN devices d ON d.id = m.device_id
      WHERE true ${deviceMetadataConditions({ ...input.filter, firmware: undefined })} ${scopeConditions(input.filter, "d")}
    ), reason_counts AS (
      SELECT s.device_id,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION} AND r.bucket < s.at), 0)::float8 AS drops_before,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION} AND r.bucket >= s.at), 0)::float8 AS drops_after,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION} AND r.bucket < s.at), 0)::float8 AS refusals_before,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION} AND r.bucket >= s.at), 0)::float8 AS refusals_after
      FROM spans s JOIN device_reason_minute r ON r.device_id = s.device_id AND r.bucket >= s.before_from AND r.bucket < s.after_to
        ${scopeConditions(input.filter, "r")}
      GROUP BY s.device_id
    ), connected AS (
      SELECT s.device_id,
             SUM(GREATEST(0, EXTRACT(EPOCH FROM LEAST(COALESCE(x.ended_at, ${now}), s.at) - GREATEST(x.started_at, s.before_from))))::float8 AS before_s,
             SUM(GREATEST(0, EXTRACT(EPOCH FROM LEAST(COALESCE(x.ended_at, ${now}), s.after_to) - GREATEST(x.started_at, s.at))))::float8 AS after_s
      FROM spans s JOIN sessions x ON x.device_id = s.device_id AND x.started_at < s.after_to AND (x.ended_at IS NULL OR x.ended_at > s.before_from)
      GROUP BY s.device_id
    ), per_device AS (
      SELECT s.device_id AS "deviceId", s.at AS "movedAt", s.from_firmware AS "fromFirmware",
             GREATEST(0, EXTRACT(EPOCH FROM s.at - s.before_from) / 3600)::float8 AS "beforeHours",
             GREATEST(0, EXTRACT(EPOCH FROM s.after_to - s.at) / 3600)::float8 AS "afterHours",
             COALESCE(rc.drops_before, 0) AS "dropsBefore", COALESCE(rc.drops_after, 0) AS "dropsAfter",
             COALESCE(rc.refusals_before, 0) AS "refusalsBefore", COALESCE(rc.refusals_after, 0) AS "refusalsAfter",
             COALESCE(c.before_s, 0) / 3600 AS "connectedBeforeHours", COALESCE(c.after_s, 0) / 3600 AS "connectedAfterHours"
      FROM spans s LEFT JOIN reason_counts rc USING (device_id) LEFT JOIN connected c USING (device_id)
    ), rated AS (
      SELECT p.*,
             CASE WHEN p."afterHours" > 0 THEN p."dropsAfter" / p."afterHours" END
               - CASE WHEN p."beforeHours" > 0 THEN p."dropsBefore" / p."beforeHours" END AS change
      FROM per_device p
    )
    SELECT
      (SELECT json_build_object(
         'devices', COUNT(*),
         'worse', COUNT(*) FILTER (WHERE change > 0),
         'before', json_build_object('exposureHours', COALESCE(SUM("beforeHours"), 0), 'drops', COALESCE(SUM("dropsBefore"), 0),
                                     'refusals', COALESCE(SUM("refusalsBefore"), 0), 'connectedHours', COALESCE(SUM(LEAST("connectedBeforeHours", "beforeHours")), 0)),
         'after', json_build_object('exposureHours', COALESCE(SUM("afterHours"), 0), 'drops', COALESCE(SUM("dropsAfter"), 0),
                                    'refusals', COALESCE(SUM("refusalsAfter"), 0), 'connectedHours', COALESCE(SUM(LEAST("connectedAfterHours", "afterHours")), 0)))
       FROM rated) AS totals,
      (SELECT json_agg(t) FROM (
         SELECT "deviceId", "movedAt", "fromFirmware", "beforeHours", "afterHours", "dropsBefore", "dropsAfter", "refusalsBefore", "refusalsAfter"
         FROM rated ORDER BY change DESC NULLS LAST, "deviceId" LIMIT ${DEVICE_LIMIT}) t) AS devices`;
  const row = rows[0];
  return summarizeRollout({
    firmware: input.firmware,
    spanHours: input.spanHours,
    totals: row?.totals ?? null,
    devices: (row?.devices ?? []).map((device) => ({ ...device, movedAt: new Date(device.movedAt) })),
  });
}
