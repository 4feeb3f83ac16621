import { Prisma } from "@/lib/db/client.ts";
import { scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { DROP_CONDITION, REFUSAL_CONDITION } from "./drop-conditions.ts";

/** Where the moves come from: rows (device_id, to_firmware, at, from_firmware), one per device and version. */
export type RolloutMoves = Prisma.Sql;

/**
 * Each move's own periods, one row per move and span: the `span_hours` before the move (back to the device's previous
 * firmware change at most) and after it (up to `now` or its next change), with drops, refusals and connected time in
 * each. The spans share one read of the device's rollups and sessions over the widest window (materialized, so the
 * planner does not look them up once per span). Columns: device_id,
 * to_firmware, span_hours, moved_at, from_firmware, before_hours, after_hours, drops_before, drops_after,
 * refusals_before, refusals_after, connected_before_hours, connected_after_hours, and what a read at a later `now`
 * needs to extend the after period (foldedPeriodsSql): after_cap (its end without `now`), open_sessions (sessions
 * still open that count in it) and as_of (`now`). A source / broker-node `scope` counts only the drops and refusals there.
 */
export function rolloutPeriodsSql(input: { moves: RolloutMoves; spans: readonly number[]; now: Date; scope: FleetFilter }): Prisma.Sql {
  const { now } = input;
  return Prisma.sql`
    WITH moves AS (${input.moves}), capped AS (
      SELECT m.device_id, m.to_firmware, m.at, m.from_firmware, s.span_hours,
             GREATEST(m.at - make_interval(hours => s.span_hours), COALESCE(
               (SELECT MAX(p.changed_at) FROM device_firmware_changes p WHERE p.device_id = m.device_id AND p.changed_at < m.at), '-infinity')) AS before_from,
             LEAST(m.at + make_interval(hours => s.span_hours), COALESCE(
               (SELECT MIN(n.changed_at) FROM device_firmware_changes n WHERE n.device_id = m.device_id AND n.changed_at > m.at), 'infinity')) AS after_cap
      FROM moves m CROSS JOIN unnest(${[...input.spans]}::int[]) s(span_hours)
    ), windows AS (
      SELECT c.*, LEAST(c.after_cap, ${now}::timestamptz) AS after_to FROM capped c
    ), widest AS (
      SELECT device_id, to_firmware, MIN(before_from) AS before_from, MAX(after_to) AS after_to FROM windows GROUP BY 1, 2
    ), reasons AS MATERIALIZED (
      SELECT w.device_id, w.to_firmware, r.bucket, r.kind, r.reason, r.count
      FROM widest w JOIN device_reason_minute r ON r.device_id = w.device_id AND r.bucket >= w.before_from AND r.bucket < w.after_to
        ${scopeConditions(input.scope, "r")}
    ), reason_counts AS (
      SELECT w.device_id, w.to_firmware, w.span_hours,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION} AND r.bucket >= w.before_from AND r.bucket < w.at), 0)::float8 AS drops_before,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION} AND r.bucket >= w.at AND r.bucket < w.after_to), 0)::float8 AS drops_after,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION} AND r.bucket >= w.before_from AND r.bucket < w.at), 0)::float8 AS refusals_before,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION} AND r.bucket >= w.at AND r.bucket < w.after_to), 0)::float8 AS refusals_after
      FROM windows w JOIN reasons r USING (device_id, to_firmware)
      GROUP BY 1, 2, 3
    ), overlapping AS MATERIALIZED (
      SELECT w.device_id, w.to_firmware, x.started_at, COALESCE(x.ended_at, ${now}) AS ended_at, x.ended_at IS NULL AS open
      FROM widest w JOIN sessions x ON x.device_id = w.device_id AND x.started_at < w.after_to AND (x.ended_at IS NULL OR x.ended_at > w.before_from)
    ), connected AS (
      -- a session outside a narrower span's window adds 0 to both sums
      SELECT w.device_id, w.to_firmware, w.span_hours,
             SUM(GREATEST(0, EXTRACT(EPOCH FROM LEAST(x.ended_at, w.at) - GREATEST(x.started_at, w.before_from))))::float8 AS before_s,
             SUM(GREATEST(0, EXTRACT(EPOCH FROM LEAST(x.ended_at, w.after_to) - GREATEST(x.started_at, w.at))))::float8 AS after_s,
             COUNT(*) FILTER (WHERE x.open AND x.started_at < w.after_to)::int AS open_sessions
      FROM windows w JOIN overlapping x USING (device_id, to_firmware)
      GROUP BY 1, 2, 3
    )
    SELECT w.device_id, w.to_firmware, w.span_hours, w.at AS moved_at, w.from_firmware,
           GREATEST(0, EXTRACT(EPOCH FROM w.at - w.before_from) / 3600)::float8 AS before_hours,
           GREATEST(0, EXTRACT(EPOCH FROM w.after_to - w.at) / 3600)::float8 AS after_hours,
           COALESCE(rc.drops_before, 0) AS drops_before, COALESCE(rc.drops_after, 0) AS drops_after,
           COALESCE(rc.refusals_before, 0) AS refusals_before, COALESCE(rc.refusals_after, 0) AS refusals_after,
           (COALESCE(c.before_s, 0) / 3600)::float8 AS connected_before_hours, (COALESCE(c.after_s, 0) / 3600)::float8 AS connected_after_hours,
           w.after_cap, COALESCE(c.open_sessions, 0) AS open_sessions, ${now}::timestamptz AS as_of
    FROM windows w LEFT JOIN reason_counts rc USING (device_id, to_firmware, span_hours) LEFT JOIN connected c USING (device_id, to_firmware, span_hours)`;
}

/**
 * Folded periods (rollout_device_period rows `p`) as of `now`, at or after the fold that wrote them: the after period
 * runs on to LEAST(after_cap, now), and each session open at the fold stays connected meanwhile (a session that
 * closed, or any new data, makes the fold recompute the device). Same columns as rolloutPeriodsSql.
 */
export function foldedPeriodsColumns(now: Date): Prisma.Sql {
  const grown = Prisma.sql`EXTRACT(EPOCH FROM LEAST(p.after_cap, ${now}::timestamptz) - LEAST(p.after_cap, p.as_of)) / 3600`;
  return Prisma.sql`p.device_id, p.to_firmware, p.span_hours, p.moved_at, p.from_firmware, p.before_hours,
    GREATEST(0, EXTRACT(EPOCH FROM LEAST(p.after_cap, ${now}::timestamptz) - p.moved_at) / 3600)::float8 AS after_hours,
    p.drops_before, p.drops_after, p.refusals_before, p.refusals_after, p.connected_before_hours,
    (p.connected_after_hours + p.open_sessions * GREATEST(0, ${grown}))::float8 AS connected_after_hours`;
}
