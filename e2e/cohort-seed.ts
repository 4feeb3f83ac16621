import type { Db } from "@/lib/db/client.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { planDeviceEvents } from "@/lib/testing/cohort-fleet.ts";

/** The cohort seed's devices live in their own region, so /fleet?region=… shows their firmware cohorts alone. */
export const COHORT_REGION = "e2e-cohort-lab";
export const COHORT_BASE_FIRMWARE = "cohort-fw 1.0";
/** Seeded with twice the base drop rate. */
export const COHORT_BAD_FIRMWARE = "cohort-fw 1.1";
/** Seeded with the base drop rate. */
export const COHORT_SAME_FIRMWARE = "cohort-fw 1.2";
/** The version half of the base devices moved to 12 hours ago, after which they drop twice as often. */
export const COHORT_ROLLOUT_FIRMWARE = "cohort-fw 2.0";

const HOUR = 3_600_000;
const PER_VERSION = 20;

/**
 * 60 devices over the last 26 hours: drops only (no refused connects, which other specs count), a few per device
 * spread over the hours (never ten in the same minutes: no incident), and none of their IDs matches other specs' searches.
 */
export async function seedCohortFleet(db: Db, now: number): Promise<void> {
  const from = new Date(now - 26 * HOUR);
  const to = new Date(now);
  const moved = new Date(now - 12 * HOUR);
  const versions = [
    { firmware: COHORT_BASE_FIRMWARE, everyMs: 6 * HOUR },
    { firmware: COHORT_BAD_FIRMWARE, everyMs: 3 * HOUR },
    { firmware: COHORT_SAME_FIRMWARE, everyMs: 6 * HOUR },
  ];
  const devices = versions.flatMap((version, v) =>
    Array.from({ length: PER_VERSION }, (_, i) => ({ id: `cohort-e2e-${v}-${String(i).padStart(2, "0")}`, ...version })),
  );
  const rollout = devices.filter((device) => device.firmware === COHORT_BASE_FIRMWARE && Number(device.id.slice(-2)) % 2 === 0);
  const events = devices.flatMap((device, index) => {
    const plans = rollout.includes(device)
      ? [
          { from, to: moved, dropEveryMs: device.everyMs, reasons: ["connection_lost"] as const },
          { from: moved, to, dropEveryMs: device.everyMs / 2, reasons: ["keepalive_timeout"] as const },
        ]
      : [
          {
            from,
            to,
            dropEveryMs: device.everyMs,
            reasons:
              device.firmware === COHORT_BAD_FIRMWARE
                ? (["connection_lost", "keepalive_timeout"] as const)
                : (["connection_lost"] as const),
          },
        ];
    return planDeviceEvents(device.id, plans, { source: "cohort-e2e", offsetMs: index * 7 * 60_000 });
  });
  for (let i = 0; i < events.length; i += 1000) await recordIngestBatch(db, { events: events.slice(i, i + 1000) });

  for (const version of versions) {
    const ids = devices.filter((device) => device.firmware === version.firmware).map((device) => device.id);
    await db.device.updateMany({ where: { id: { in: ids } }, data: { firmware: version.firmware, region: COHORT_REGION } });
  }
  const rolloutIds = rollout.map((device) => device.id);
  await db.device.updateMany({ where: { id: { in: rolloutIds } }, data: { firmware: COHORT_ROLLOUT_FIRMWARE } });
  // The triggers date each change now; the seeded history had its first assignment before it began and the move 12 h ago.
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${new Date(from.getTime() - HOUR)} WHERE device_id LIKE 'cohort-e2e-%' AND from_firmware IS NULL`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${moved} WHERE device_id = ANY(${rolloutIds}::text[]) AND to_firmware = ${COHORT_ROLLOUT_FIRMWARE}`;
}
