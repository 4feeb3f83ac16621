import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryFirstRow, queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount, SqlDate, SqlNumber } from "@/lib/db/sql-values.ts";
import { deviceMetadataConditions, hasDeviceMetadataFilter, scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { ensureCohortsFolded } from "./ensure-cohorts-folded.ts";
import { foldedPeriodsColumns, rolloutPeriodsSql } from "./rollout-periods.ts";
import { ROLLOUT_SPANS } from "./rollout-spans.ts";
import { summarizeRollout, type RolloutSummary } from "./shape-rollout.ts";

const FirmwareRolloutRow = z.object({ firmware: z.string(), devices: SqlCount, firstMoveAt: SqlDate, lastMoveAt: SqlDate });
export type FirmwareRollout = z.infer<typeof FirmwareRolloutRow>;

const PeriodTotals = z.object({ exposureHours: SqlNumber, drops: SqlNumber, refusals: SqlNumber, connectedHours: SqlNumber });
/** json_build_object / json_agg values: numbers as JSON numbers, the move's time as its ISO text. */
const RolloutRow = z.object({
  totals: z.object({ before: PeriodTotals, after: PeriodTotals, devices: SqlCount, worse: SqlCount }).nullable(),
  devices: z
    .array(
      z.object({
        deviceId: z.string(),
        movedAt: z.coerce.date(),
        fromFirmware: z.string(),
        beforeHours: SqlNumber,
        afterHours: SqlNumber,
        dropsBefore: SqlNumber,
        dropsAfter: SqlNumber,
        refusalsBefore: SqlNumber,
        refusalsAfter: SqlNumber,
      }),
    )
    .nullable(),
});

/** Versions devices moved to (from another version), most recent rollout first. */
export async function listFirmwareRollouts(db: Db, limit = 50): Promise<FirmwareRollout[]> {
  return queryRows(
    db,
    "listFirmwareRollouts",
    FirmwareRolloutRow,
    Prisma.sql`
    SELECT to_firmware AS firmware, COUNT(DISTINCT device_id)::int AS devices, MIN(changed_at) AS "firstMoveAt", MAX(changed_at) AS "lastMoveAt"
    FROM device_firmware_changes
    WHERE from_firmware IS NOT NULL AND to_firmware IS NOT NULL
    GROUP BY to_firmware
    ORDER BY "lastMoveAt" DESC, firmware
    LIMIT ${limit}`,
  );
}

/** Most devices listed with their own before / after. */
const DEVICE_LIMIT = 20;

/**
 * Each device that moved to `firmware` (its latest move there) against itself: the `spanHours` before the move
 * (back to its previous firmware change at most) and after it (up to now or its next change). Totals add every
 * device's periods, so the comparison is within devices and a fleet that changes composition does not fool it.
 * A source / broker-node filter keeps the devices there now and counts only their drops and refusals there.
 * Read from the folded periods (decision 032) when they answer: a span the view offers, no source / node filter,
 * and `now` at or just after the last fold; otherwise computed from the per-device rollups, with the same figures.
 */
export async function getFirmwareRollout(db: Db, input: RolloutInput): Promise<RolloutSummary> {
  const now = input.now ?? new Date();
  return readFirmwareRollout(db, { ...input, now }, (await foldedPeriodsAnswer(db, { ...input, now })) ? "folded" : "computed");
}

type RolloutInput = { firmware: string; spanHours: number; filter: FleetFilter; now?: Date };

/** The rollout from the folded periods or computed from the per-device rollups (exported to prove them equal). */
export async function readFirmwareRollout(
  db: Db,
  input: RolloutInput & { now: Date },
  periodsFrom: "folded" | "computed",
): Promise<RolloutSummary> {
  const { now } = input;
  // The version is what the rollout is about; a firmware filter would keep only devices still on it.
  const deviceFilter = { ...input.filter, firmware: undefined };
  const metadata = Prisma.sql`${deviceMetadataConditions(deviceFilter)} ${scopeConditions(input.filter, "d")}`;
  const periods =
    periodsFrom === "folded"
      ? Prisma.sql`
        SELECT ${foldedPeriodsColumns(now)} FROM rollout_device_period p ${hasDeviceMetadataFilter(deviceFilter) ? Prisma.sql`JOIN devices d ON d.id = p.device_id ${deviceMetadataConditions(deviceFilter)}` : Prisma.empty}
        WHERE p.to_firmware = ${input.firmware} AND p.span_hours = ${input.spanHours}`
      : rolloutPeriodsSql({
          moves: Prisma.sql`
          SELECT DISTINCT ON (c.device_id) c.device_id, c.to_firmware, c.changed_at AS at, c.from_firmware
          FROM device_firmware_changes c JOIN devices d ON d.id = c.device_id
          WHERE c.to_firmware = ${input.firmware} AND c.from_firmware IS NOT NULL AND c.changed_at <= ${now} ${metadata}
          ORDER BY c.device_id, c.changed_at DESC`,
          spans: [input.spanHours],
          now,
          scope: input.filter,
        });
  const row = await queryFirstRow(
    db,
    "readFirmwareRollout",
    RolloutRow,
    Prisma.sql`
    WITH per_device AS (${periods}), rated AS (
      SELECT p.*,
             CASE WHEN p.after_hours > 0 THEN p.drops_after / p.after_hours END
               - CASE WHEN p.before_hours > 0 THEN p.drops_before / p.before_hours END AS change
      FROM per_device p
    )
    SELECT
      (SELECT json_build_object(
         'devices', COUNT(*),
         'worse', COUNT(*) FILTER (WHERE change > 0),
         'before', json_build_object('exposureHours', COALESCE(SUM(before_hours), 0), 'drops', COALESCE(SUM(drops_before), 0),
                                     'refusals', COALESCE(SUM(refusals_before), 0), 'connectedHours', COALESCE(SUM(LEAST(connected_before_hours, before_hours)), 0)),
         'after', json_build_object('exposureHours', COALESCE(SUM(after_hours), 0), 'drops', COALESCE(SUM(drops_after), 0),
                                    'refusals', COALESCE(SUM(refusals_after), 0), 'connectedHours', COALESCE(SUM(LEAST(connected_after_hours, after_hours)), 0)))
       FROM rated) AS totals,
      (SELECT json_agg(t) FROM (
         SELECT device_id AS "deviceId", moved_at AS "movedAt", from_firmware AS "fromFirmware", before_hours AS "beforeHours",
                after_hours AS "afterHours", drops_before AS "dropsBefore", drops_after AS "dropsAfter", refusals_before AS "refusalsBefore",
                refusals_after AS "refusalsAfter"
         FROM rated ORDER BY change DESC NULLS LAST, device_id LIMIT ${DEVICE_LIMIT}) t) AS devices`,
  );
  return summarizeRollout({
    firmware: input.firmware,
    spanHours: input.spanHours,
    totals: row?.totals ?? null,
    devices: row?.devices ?? [],
  });
}

/** How far after the last fold a rollout may still be read from its periods (the fold's own staleness bound). */
const FOLDED_PERIODS_FRESH_MS = 300_000;

/**
 * Whether rollout_device_period answers: it keeps the spans the view offers, counts drops everywhere (no source /
 * node), and holds each device's periods as of the last fold, so `now` must fall between that fold and a few minutes
 * after it (a read of the past, or with no fold running, computes from the per-device rollups instead).
 */
async function foldedPeriodsAnswer(db: Db, input: { spanHours: number; filter: FleetFilter; now: Date }): Promise<boolean> {
  if (!(ROLLOUT_SPANS as readonly number[]).includes(input.spanHours)) return false;
  if (input.filter.source !== undefined || input.filter.brokerNode !== undefined) return false;
  await ensureCohortsFolded(db);
  const state = await db.cohortFoldState.findUnique({ where: { id: 1 }, select: { foldedThrough: true } });
  const lag = state ? input.now.getTime() - state.foldedThrough.getTime() : -1;
  return lag >= 0 && lag <= FOLDED_PERIODS_FRESH_MS;
}
