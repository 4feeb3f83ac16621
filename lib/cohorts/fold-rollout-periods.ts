import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryFirstRow, queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt } from "@/lib/db/sql-values.ts";
import { MAX_ROLLOUT_SPAN_HOURS } from "./cohort-params.ts";
import { eventsSinceFold, FOLD_SNAPSHOT } from "./events-since-fold.ts";
import { rolloutPeriodsSql } from "./rollout-periods.ts";
import { ROLLOUT_SPANS } from "./rollout-spans.ts";

/** The fold state as the previous fold left it (cohort_fold_state), or null before the first fold. */
export type RolloutFoldState = {
  rolloutFoldSnapshot: string | null;
  rolloutLastEventId: bigint | null;
  rolloutLastMoveId: bigint | null;
  rolloutFoldedNow: Date | null;
} | null;

const Watermarks = z.object({ lastEventId: SqlBigInt, lastMoveId: SqlBigInt, snapshot: z.string() });
const DeviceRow = z.object({ device_id: z.string() });

const REACH = Prisma.sql`make_interval(hours => ${MAX_ROLLOUT_SPAN_HOURS})`;
const IS_MOVE = Prisma.sql`c.from_firmware IS NOT NULL AND c.to_firmware IS NOT NULL`;

/**
 * Brings rollout_device_period up to `now` (decision 039). A row stays right until its device's data changes: a read
 * at a later `now` extends the after period and the open sessions' connected time itself (after_cap, open_sessions,
 * as_of). So a fold recomputes only the devices with a new firmware change, with events stored since the last fold
 * near one of their moves, or with rollups or sessions ending after the last fold's `now` (times ahead of the fold's
 * clock: device clock skew, a benchmark's or test's chosen now); the first fold computes every move.
 */
export async function foldRolloutPeriods(tx: Prisma.TransactionClient, state: RolloutFoldState, now: Date): Promise<void> {
  const marks = await queryFirstRow(
    tx,
    "rolloutFoldWatermarks",
    Watermarks,
    Prisma.sql`SELECT COALESCE((SELECT MAX(id) FROM connection_events), 0)::bigint AS "lastEventId",
                      COALESCE((SELECT MAX(id) FROM device_firmware_changes), 0)::bigint AS "lastMoveId",
                      ${FOLD_SNAPSHOT} AS snapshot`,
  );
  const since = previousRolloutFold(state);
  let devices: Prisma.Sql;
  if (since) {
    const changed = await queryRows(tx, "rolloutDevicesChanged", DeviceRow, changedDevicesSql(since, now));
    if (changed.length === 0) return recordWatermarks(tx, marks, now);
    const ids = changed.map((row) => row.device_id);
    await tx.$executeRaw`DELETE FROM rollout_device_period WHERE device_id = ANY(${ids}::text[])`;
    devices = Prisma.sql`c.device_id = ANY(${ids}::text[])`;
  } else {
    await tx.$executeRaw`DELETE FROM rollout_device_period`;
    devices = Prisma.sql`true`;
  }
  const moves = Prisma.sql`
    SELECT DISTINCT ON (c.device_id, c.to_firmware) c.device_id, c.to_firmware, c.changed_at AS at, c.from_firmware
    FROM device_firmware_changes c
    WHERE ${devices} AND ${IS_MOVE} AND c.changed_at <= ${now}
    ORDER BY c.device_id, c.to_firmware, c.changed_at DESC`;
  await tx.$executeRaw`
    INSERT INTO rollout_device_period (device_id, to_firmware, span_hours, moved_at, from_firmware, before_hours, after_hours, drops_before,
                                       drops_after, refusals_before, refusals_after, connected_before_hours, connected_after_hours,
                                       after_cap, open_sessions, as_of)
    ${rolloutPeriodsSql({ moves, spans: ROLLOUT_SPANS, now, scope: {} })}`;
  await recordWatermarks(tx, marks, now);
}

async function recordWatermarks(tx: Prisma.TransactionClient, marks: z.output<typeof Watermarks> | null, now: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE cohort_fold_state SET rollout_last_event_id = ${marks?.lastEventId ?? 0n}, rollout_last_move_id = ${marks?.lastMoveId ?? 0n},
                                 rollout_fold_snapshot = ${marks?.snapshot ?? null}, rollout_folded_now = ${now}
    WHERE id = 1`;
}

type PreviousRolloutFold = { snapshot: string | null; lastEventId: bigint; lastMoveId: bigint; now: Date };

function previousRolloutFold(state: RolloutFoldState): PreviousRolloutFold | null {
  if (state?.rolloutLastEventId == null || state.rolloutLastMoveId == null || !state.rolloutFoldedNow) return null;
  return {
    snapshot: state.rolloutFoldSnapshot,
    lastEventId: state.rolloutLastEventId,
    lastMoveId: state.rolloutLastMoveId,
    now: state.rolloutFoldedNow,
  };
}

/** Devices whose rollout periods may have changed since the last rollout fold (see foldRolloutPeriods). */
function changedDevicesSql(since: PreviousRolloutFold, now: Date): Prisma.Sql {
  const previousNow = since.now;
  const eventsSince = eventsSinceFold(since);
  return Prisma.sql`
    SELECT c.device_id FROM device_firmware_changes c
    WHERE c.id > ${since.lastMoveId} OR (c.changed_at > ${previousNow} AND c.changed_at <= ${now})
    UNION
    SELECT e.device_id FROM (
      SELECT e.device_id, MIN(e.occurred_at) AS lo, MAX(e.occurred_at) AS hi FROM connection_events e WHERE ${eventsSince} GROUP BY 1
    ) e
    WHERE EXISTS (SELECT 1 FROM device_firmware_changes c
                  WHERE c.device_id = e.device_id AND ${IS_MOVE} AND c.changed_at >= e.lo - ${REACH} AND c.changed_at <= e.hi + ${REACH})
    UNION
    SELECT a.device_id FROM (
      SELECT device_id FROM device_reason_minute WHERE bucket >= date_trunc('minute', ${previousNow}::timestamptz) AND bucket <= ${now}
      UNION
      SELECT device_id FROM sessions WHERE ended_at > ${previousNow} AND ended_at <= ${now}
    ) a
    WHERE EXISTS (SELECT 1 FROM device_firmware_changes c
                  WHERE c.device_id = a.device_id AND ${IS_MOVE} AND c.changed_at >= ${previousNow}::timestamptz - ${REACH} AND c.changed_at <= ${now})`;
}
