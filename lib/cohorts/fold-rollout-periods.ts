import { Prisma } from "@/lib/db/client.ts";
import { MAX_ROLLOUT_SPAN_HOURS } from "./cohort-params.ts";
import { rolloutPeriodsSql } from "./rollout-periods.ts";
import { ROLLOUT_SPANS } from "./rollout-spans.ts";

/**
 * Recomputes rollout_device_period for every device with a move whose widest window (a week each side) meets the
 * folded hours [from, to): each of its latest moves to a version, for every span the view offers, as of `now`. Moves
 * of the past week are recomputed on every fold (their after-period grows); older ones only when late events land in
 * their window.
 */
export async function foldRolloutPeriods(tx: Prisma.TransactionClient, range: { from: Date; to: Date; now: Date }): Promise<void> {
  const reach = Prisma.sql`make_interval(hours => ${MAX_ROLLOUT_SPAN_HOURS})`;
  const devices = Prisma.sql`
    SELECT DISTINCT device_id FROM device_firmware_changes
    WHERE from_firmware IS NOT NULL AND to_firmware IS NOT NULL AND changed_at <= ${range.now}
      AND changed_at > ${range.from}::timestamptz - ${reach} AND changed_at < ${range.to}::timestamptz + ${reach}`;
  await tx.$executeRaw`DELETE FROM rollout_device_period WHERE device_id IN (${devices})`;
  const moves = Prisma.sql`
    SELECT DISTINCT ON (c.device_id, c.to_firmware) c.device_id, c.to_firmware, c.changed_at AS at, c.from_firmware
    FROM device_firmware_changes c
    WHERE c.device_id IN (${devices}) AND c.from_firmware IS NOT NULL AND c.to_firmware IS NOT NULL AND c.changed_at <= ${range.now}
    ORDER BY c.device_id, c.to_firmware, c.changed_at DESC`;
  await tx.$executeRaw`
    INSERT INTO rollout_device_period (device_id, to_firmware, span_hours, moved_at, from_firmware, before_hours, after_hours, drops_before,
                                       drops_after, refusals_before, refusals_after, connected_before_hours, connected_after_hours)
    ${rolloutPeriodsSql({ moves, spans: ROLLOUT_SPANS, now: range.now, scope: {} })}`;
}
