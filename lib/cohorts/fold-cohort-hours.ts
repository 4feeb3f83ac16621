import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryFirstRow } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";
import { eventsSinceFold, FOLD_SNAPSHOT } from "./events-since-fold.ts";
import { foldRolloutPeriods } from "./fold-rollout-periods.ts";

const LockRow = z.object({ locked: z.boolean() });
const EarliestRow = z.object({ at: SqlDate.nullable(), last: SqlBigInt.nullable(), snapshot: z.string() });

const HOUR_MS = 3_600_000;
/** pg_advisory_xact_lock key of the fold: one fold at a time across worker and web processes. */
const FOLD_LOCK = 7_028_001;
const HOUR = Prisma.sql`interval '1 hour'`;
const hourOf = (value: Prisma.Sql) => Prisma.sql`date_bin(${HOUR}, ${value}, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;
/** A devices row `d`'s profile: its whole metadata, the columns of the profile rollups. */
const DEVICE_PROFILE = Prisma.sql`COALESCE(d.firmware, '') AS firmware, COALESCE(d.region, '') AS region, COALESCE(d.network, '') AS network,
  COALESCE(d.labels, '{}'::jsonb) AS labels`;
const PROFILE_COLUMNS = Prisma.sql`firmware, region, network, labels`;
/**
 * The cohorts a profile row `p` belongs to, one row per dimension: (dimension, value). One rollup row per dimension
 * value rather than per combination keeps an hour to a few hundred rows for the unfiltered reads.
 */
const PROFILE_COHORTS = Prisma.sql`LATERAL (
  SELECT 'firmware' AS dimension, p.firmware AS value
  UNION ALL SELECT 'region', p.region
  UNION ALL SELECT 'network', p.network
  UNION ALL SELECT 'label:' || l.key, l.value FROM jsonb_each_text(p.labels) l
) k`;

export type FoldResult = { from: Date; to: Date; folded: boolean };

/** Hours folded per transaction: a first fold over months of history must not hold one transaction for minutes. */
const CHUNK_HOURS = 24 * 7;

/**
 * Brings cohort_hour and cohort_reason_hour up to date: recomputes every hour from the earliest hour touched by events
 * stored since the last fold (late deliveries and imports included) up to the current hour, from device_reason_minute
 * and sessions, a week per transaction; the last transaction also folds the rollout periods that changed. Runs under an
 * advisory lock; with `skipIfBusy` a caller that finds another fold running returns at once.
 */
export async function foldCohortHours(
  db: Db,
  options: { now?: Date; skipIfBusy?: boolean; chunkHours?: number } = {},
): Promise<FoldResult> {
  const now = options.now ?? new Date();
  let total: FoldResult = { from: now, to: now, folded: false };
  for (;;) {
    const chunk = await foldChunk(db, now, options.skipIfBusy ?? false, options.chunkHours ?? CHUNK_HOURS);
    if (!chunk.folded) return total;
    total = { from: total.folded ? total.from : chunk.from, to: chunk.to, folded: true };
    if (chunk.to.getTime() >= now.getTime()) return total;
  }
}

async function foldChunk(db: Db, now: Date, skipIfBusy: boolean, chunkHours: number): Promise<FoldResult> {
  return db.$transaction(
    async (tx) => {
      if (skipIfBusy) {
        const lock = await queryFirstRow(
          tx,
          "tryCohortFoldLock",
          LockRow,
          Prisma.sql`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS locked`,
        );
        if (!lock?.locked) return { from: now, to: now, folded: false };
      } else {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FOLD_LOCK})`;
      }
      const state = await tx.cohortFoldState.findUnique({ where: { id: 1 } });
      const dirty = await dirtyRange(tx, state, now);
      if (!dirty) return { from: now, to: now, folded: false };
      const range = { ...dirty, to: new Date(Math.min(dirty.to.getTime(), dirty.from.getTime() + chunkHours * HOUR_MS)) };
      for (const table of ["cohort_hour", "cohort_reason_hour", "cohort_profile_hour", "cohort_profile_reason_hour"]) {
        await tx.$executeRaw`DELETE FROM ${Prisma.raw(table)} WHERE bucket >= ${range.from} AND bucket < ${range.to}`;
      }
      await tx.$executeRaw(foldReasonsSql(range));
      await tx.$executeRaw(foldPresenceSql({ ...range, now }));
      await tx.$executeRaw(deriveCohortRowsSql(range));
      await tx.$executeRaw(deriveCohortReasonRowsSql(range));
      const through = range.to < now ? range.to : now;
      await tx.$executeRaw`
        INSERT INTO cohort_fold_state (id, last_event_id, fold_snapshot, folded_through, folded_at)
        VALUES (1, ${range.lastEventId}, ${range.snapshot}, ${through}, now())
        ON CONFLICT (id) DO UPDATE SET last_event_id = EXCLUDED.last_event_id, fold_snapshot = EXCLUDED.fold_snapshot,
                                       folded_through = EXCLUDED.folded_through, folded_at = EXCLUDED.folded_at`;
      if (through.getTime() >= now.getTime()) await foldRolloutPeriods(tx, state, now);
      return { from: range.from, to: through, folded: true };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** When the last fold ran (the database's clock), or null before the first. */
export async function lastCohortFoldAt(db: Db): Promise<Date | null> {
  const state = await db.cohortFoldState.findUnique({ where: { id: 1 } });
  return state?.foldedAt ?? null;
}

type DirtyRange = { from: Date; to: Date; lastEventId: bigint; snapshot: string };

/**
 * [earliest dirty hour, end of the current hour). Dirty: the hour of every event stored since the last fold, and the
 * current hour of the last fold (it was partial then), or the end of the last chunk. Events the last fold saw are not
 * dirty however recently they arrived, so a fold over a fresh import walks on chunk by chunk. The first fold starts at
 * the earliest rollup or session.
 */
async function dirtyRange(
  tx: Prisma.TransactionClient,
  state: { lastEventId: bigint; foldSnapshot: string | null; foldedThrough: Date } | null,
  now: Date,
): Promise<DirtyRange | null> {
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  if (!state) {
    const first = await queryFirstRow(
      tx,
      "firstCohortFoldRange",
      EarliestRow,
      Prisma.sql`
      SELECT LEAST((SELECT MIN(bucket) FROM device_reason_minute), (SELECT MIN(started_at) FROM sessions)) AS at,
             (SELECT MAX(id) FROM connection_events) AS last, ${FOLD_SNAPSHOT} AS snapshot`,
    );
    if (!first?.at) return null;
    return { from: floorHour(first.at), to, lastEventId: first.last ?? 0n, snapshot: first.snapshot };
  }
  const fresh = await queryFirstRow(
    tx,
    "cohortFoldDirtyRange",
    EarliestRow,
    Prisma.sql`SELECT MIN(occurred_at) AS at, MAX(id) AS last, ${FOLD_SNAPSHOT} AS snapshot
               FROM connection_events e WHERE ${eventsSinceFold({ lastEventId: state.lastEventId, snapshot: state.foldSnapshot })}`,
  );
  if (!fresh) return null;
  const earliest = Math.min(state.foldedThrough.getTime(), fresh.at?.getTime() ?? Infinity);
  const from = floorHour(new Date(earliest));
  if (from >= to) return null;
  const lastEventId = fresh.last && fresh.last > state.lastEventId ? fresh.last : state.lastEventId;
  return { from, to, lastEventId, snapshot: fresh.snapshot };
}

function floorHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** Drops (disconnects the client did not ask for) and refusals per hour, device profile, event scope and reason. */
function foldReasonsSql(range: { from: Date; to: Date }): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO cohort_profile_reason_hour (bucket, ${PROFILE_COLUMNS}, source, broker_node, kind, reason, count)
    SELECT x.h, ${DEVICE_PROFILE}, x.source, x.broker_node, x.kind, x.reason, SUM(x.count)::int
    FROM (
      SELECT ${hourOf(Prisma.sql`r.bucket`)} AS h, r.device_id, r.source, r.broker_node, r.kind, r.reason, SUM(r.count) AS count
      FROM device_reason_minute r
      WHERE r.bucket >= ${range.from} AND r.bucket < ${range.to}
        AND ((r.kind = 'disconnected' AND r.reason <> 'client_disconnect') OR r.kind = 'connect_failed')
      GROUP BY 1, 2, 3, 4, 5, 6
    ) x JOIN devices d ON d.id = x.device_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}

/** cohort_reason_hour: the profile rows of the folded hours summed per dimension value. */
function deriveCohortReasonRowsSql(range: { from: Date; to: Date }): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO cohort_reason_hour (bucket, dimension, value, source, broker_node, kind, reason, count)
    SELECT p.bucket, k.dimension, k.value, p.source, p.broker_node, p.kind, p.reason, SUM(p.count)::int
    FROM cohort_profile_reason_hour p CROSS JOIN ${PROFILE_COHORTS}
    WHERE p.bucket >= ${range.from} AND p.bucket < ${range.to}
    GROUP BY 1, 2, 3, 4, 5, 6, 7`;
}

/**
 * cohort_hour: the profile rows of the folded hours summed per dimension value. Every figure adds up across
 * profiles (a device is in one profile), so this equals folding the dimension directly.
 */
function deriveCohortRowsSql(range: { from: Date; to: Date }): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO cohort_hour (bucket, dimension, value, source, broker_node, devices, exposure_s, connected_s)
    SELECT p.bucket, k.dimension, k.value, p.source, p.broker_node, SUM(p.devices)::int, SUM(p.exposure_s), SUM(p.connected_s)
    FROM cohort_profile_hour p CROSS JOIN ${PROFILE_COHORTS}
    WHERE p.bucket >= ${range.from} AND p.bucket < ${range.to}
    GROUP BY 1, 2, 3, 4, 5`;
}

/**
 * Presence and connected time per hour and device profile, without enumerating device-hours (a fleet connected all
 * quarter is 200M of them): a device is present in an hour when a session of it overlaps the hour or it has a rollup
 * row in it; its presence hours are merged into islands (gaps and islands over hour ranges), each island adds +1 at
 * its first hour and −1 after its last, and a running sum per key gives the devices present in each hour. Connected
 * seconds the same way: +1 / −1 for the hours a session covers entirely, plus the partial first and last hour.
 * Exposure is an hour per present device, less the part of the hour before the device was first seen and the part
 * after `now`.
 */
function foldPresenceSql(range: { from: Date; to: Date; now: Date }): Prisma.Sql {
  const { from, now } = range;
  const until = range.to < now ? range.to : now;
  return Prisma.sql`
    WITH spans AS (
      SELECT device_id, GREATEST(started_at, ${from}) AS s, LEAST(COALESCE(ended_at, ${until}), ${until}) AS e
      FROM sessions
      WHERE started_at < ${until} AND ended_at > ${from}
      UNION ALL
      SELECT device_id, GREATEST(started_at, ${from}), ${until} FROM sessions WHERE started_at < ${until} AND ended_at IS NULL
    ), ranges AS (
      SELECT device_id, ${hourOf(Prisma.sql`s`)} AS h0, GREATEST(${hourOf(Prisma.sql`s`)}, ${hourOf(Prisma.sql`e - interval '1 millisecond'`)}) AS h1 FROM spans
      UNION ALL
      SELECT device_id, ${hourOf(Prisma.sql`bucket`)} AS h, ${hourOf(Prisma.sql`bucket`)}
      FROM device_reason_minute WHERE bucket >= ${from} AND bucket < ${until} GROUP BY 1, 2
    ), ordered AS (
      SELECT device_id, h0, h1,
             MAX(h1) OVER (PARTITION BY device_id ORDER BY h0, h1 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM ranges
    ), numbered AS (
      SELECT device_id, h0, h1,
             SUM(CASE WHEN reach IS NOT NULL AND h0 <= reach + ${HOUR} THEN 0 ELSE 1 END) OVER (PARTITION BY device_id ORDER BY h0, h1) AS island
      FROM ordered
    ), islands AS (
      SELECT device_id, MIN(h0) AS h0, MAX(h1) AS h1 FROM numbered GROUP BY device_id, island
    ), steps AS (
      -- per device profile and hour: change in devices present, change in sessions covering whole hours, partial seconds
      SELECT ${DEVICE_PROFILE}, COALESCE(d.source, '') AS source, COALESCE(d.broker_node, '') AS broker_node,
             x.h, x.present, x.whole, x.partial_s, x.unseen_s
      FROM (
        SELECT device_id, h0 AS h, 1 AS present, 0 AS whole, 0::float8 AS partial_s, 0::float8 AS unseen_s FROM islands
        UNION ALL SELECT device_id, h1 + ${HOUR}, -1, 0, 0, 0 FROM islands
        UNION ALL
        SELECT device_id, ${hourOf(Prisma.sql`s`)}, 0, 0,
               EXTRACT(EPOCH FROM LEAST(e, ${hourOf(Prisma.sql`s`)} + ${HOUR}) - s)::float8, 0 FROM spans WHERE e > s
        UNION ALL
        SELECT device_id, ${hourOf(Prisma.sql`s`)} + ${HOUR}, 0, 1, 0, 0 FROM spans WHERE ${hourOf(Prisma.sql`e`)} > ${hourOf(Prisma.sql`s`)}
        UNION ALL
        SELECT device_id, ${hourOf(Prisma.sql`e`)}, 0, -1, EXTRACT(EPOCH FROM e - ${hourOf(Prisma.sql`e`)})::float8, 0
        FROM spans WHERE ${hourOf(Prisma.sql`e`)} > ${hourOf(Prisma.sql`s`)}
        UNION ALL
        SELECT id, ${hourOf(Prisma.sql`first_seen_at`)}, 0, 0, 0, EXTRACT(EPOCH FROM first_seen_at - ${hourOf(Prisma.sql`first_seen_at`)})::float8
        FROM devices WHERE first_seen_at >= ${from} AND first_seen_at < ${until}
      ) x JOIN devices d ON d.id = x.device_id
    ), per_key_hour AS (
      SELECT ${PROFILE_COLUMNS}, source, broker_node, h,
             SUM(present)::int AS present, SUM(whole)::int AS whole, SUM(partial_s) AS partial_s, SUM(unseen_s) AS unseen_s
      FROM steps
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), grid AS (
      SELECT k.firmware, k.region, k.network, k.labels, k.source, k.broker_node, g.h,
             COALESCE(p.present, 0) AS present, COALESCE(p.whole, 0) AS whole,
             COALESCE(p.partial_s, 0) AS partial_s, COALESCE(p.unseen_s, 0) AS unseen_s
      FROM (SELECT DISTINCT ${PROFILE_COLUMNS}, source, broker_node FROM per_key_hour) k
      CROSS JOIN generate_series(${from}::timestamptz, ${until}::timestamptz - interval '1 millisecond', ${HOUR}) g(h)
      LEFT JOIN per_key_hour p USING (firmware, region, network, labels, source, broker_node, h)
    ), running AS (
      SELECT ${PROFILE_COLUMNS}, source, broker_node, h, partial_s, unseen_s,
             SUM(present) OVER w AS devices, SUM(whole) OVER w AS whole_sessions
      FROM grid
      WINDOW w AS (PARTITION BY firmware, region, network, labels, source, broker_node ORDER BY h)
    )
    INSERT INTO cohort_profile_hour (bucket, ${PROFILE_COLUMNS}, source, broker_node, devices, exposure_s, connected_s)
    SELECT h, ${PROFILE_COLUMNS}, source, broker_node, devices::int,
           GREATEST(0, devices * EXTRACT(EPOCH FROM LEAST(h + ${HOUR}, ${now}::timestamptz) - h) - unseen_s)::float8,
           (whole_sessions * 3600 + partial_s)::float8
    FROM running
    WHERE devices > 0 OR whole_sessions > 0 OR partial_s > 0`;
}
