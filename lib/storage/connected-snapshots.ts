import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const HOUR = 3_600_000;

export type SnapshotRefresh = { written: number; repairedFrom: Date | null };

/**
 * Keeps `fleet_connected_snapshots` up to date: a row per hour H, source and broker node holding the gauge before H
 * (SUM of the deltas with bucket < H). Each row is computed from the present instead of the past, as
 * `devices counted now (fleet_connected_devices) − SUM(delta ≥ H)`, in one statement, so it needs no delta older
 * than H and includes every late delta committed so far.
 *
 * A delta written later into a bucket before an existing snapshot (a late event) makes that snapshot and every
 * later one wrong, and only those: the newest snapshot is re-checked on every run, and when it changed, the
 * window re-computed doubles backwards until its oldest snapshot was already right.
 */
export async function refreshConnectedSnapshots(db: Db, now: Date): Promise<SnapshotRefresh> {
  const until = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const latest = await latestSnapshotAt(db);
  if (!latest) {
    const oldest = await oldestDeltaHour(db);
    const written = oldest ? await writeSnapshots(db, new Date(Math.min(oldest.getTime(), until.getTime())), until) : [];
    return { written: written.length, repairedFrom: null };
  }

  let written = await writeSnapshots(db, latest, until);
  if (!written.some((at) => at.getTime() === latest.getTime())) return { written: written.length, repairedFrom: null };

  const oldest = await oldestSnapshotAt(db);
  let span = 24 * HOUR;
  let from = latest;
  while (oldest && from.getTime() > oldest.getTime()) {
    from = new Date(Math.max(oldest.getTime(), latest.getTime() - span));
    const repaired = await writeSnapshots(db, from, latest);
    written = [...written, ...repaired];
    if (!repaired.some((at) => at.getTime() === from.getTime())) break;
    span *= 2;
  }
  return { written: written.length, repairedFrom: from };
}

/** Deletes snapshots older than `cutoff` (the hourly rollups they summarise are gone too). */
export async function deleteSnapshotsBefore(db: Db, cutoff: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM fleet_connected_snapshots WHERE at < ${cutoff}`;
}

const MaybeAtSchema = z.object({ at: SqlDate.nullable() });

async function latestSnapshotAt(db: Db): Promise<Date | null> {
  const rows = await queryRows(db, "latestSnapshotAt", MaybeAtSchema, Prisma.sql`SELECT MAX(at) AS at FROM fleet_connected_snapshots`);
  return rows[0]?.at ?? null;
}

async function oldestDeltaHour(db: Db): Promise<Date | null> {
  const rows = await queryRows(
    db,
    "oldestDeltaHour",
    MaybeAtSchema,
    Prisma.sql`
    SELECT date_bin(interval '1 hour', MIN(bucket), TIMESTAMPTZ '1970-01-01 00:00:00+00') AS at FROM fleet_connected_minute`,
  );
  return rows[0]?.at ?? null;
}

async function oldestSnapshotAt(db: Db): Promise<Date | null> {
  const rows = await queryRows(db, "oldestSnapshotAt", MaybeAtSchema, Prisma.sql`SELECT MIN(at) AS at FROM fleet_connected_snapshots`);
  return rows[0]?.at ?? null;
}

/** Writes the snapshots of every hour in [from, until] whose value is new or changed; returns their hours. */
async function writeSnapshots(db: Db, from: Date, until: Date): Promise<Date[]> {
  const rows = await queryRows(
    db,
    "writeSnapshots",
    z.object({ at: SqlDate }),
    Prisma.sql`
    WITH counted AS (
      SELECT source, broker_node, COUNT(*)::int AS n FROM fleet_connected_devices GROUP BY 1, 2
    ), hourly AS (
      SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS h, source, broker_node, SUM(delta)::int AS d
      FROM fleet_connected_minute WHERE bucket >= ${from}::timestamptz GROUP BY 1, 2, 3
    ), scopes AS (
      SELECT source, broker_node FROM counted
      UNION SELECT source, broker_node FROM hourly
      UNION SELECT source, broker_node FROM fleet_connected_snapshots WHERE at >= ${from}::timestamptz
    ), beyond AS (
      SELECT source, broker_node, SUM(d)::int AS d FROM hourly WHERE h > ${until}::timestamptz GROUP BY 1, 2
    ), grid AS (
      SELECT hours.at, s.source, s.broker_node, COALESCE(x.d, 0) AS d
      FROM generate_series(${from}::timestamptz, ${until}::timestamptz, interval '1 hour') AS hours(at)
      CROSS JOIN scopes s
      LEFT JOIN hourly x ON x.h = hours.at AND x.source = s.source AND x.broker_node = s.broker_node
    ), computed AS (
      -- The deltas from each hour on: a running sum backwards over the hours, plus those after the last hour.
      SELECT g.at, g.source, g.broker_node,
             COALESCE(c.n, 0) - COALESCE(b.d, 0) - SUM(g.d) OVER (PARTITION BY g.source, g.broker_node ORDER BY g.at DESC) AS connected
      FROM grid g
      LEFT JOIN counted c ON c.source = g.source AND c.broker_node = g.broker_node
      LEFT JOIN beyond b ON b.source = g.source AND b.broker_node = g.broker_node
    )
    INSERT INTO fleet_connected_snapshots (at, source, broker_node, connected)
    SELECT at, source, broker_node, connected FROM computed
    ON CONFLICT (at, source, broker_node) DO UPDATE SET connected = EXCLUDED.connected
      WHERE fleet_connected_snapshots.connected <> EXCLUDED.connected
    RETURNING at`,
  );
  const hours = new Map(rows.map((row) => [row.at.getTime(), row.at]));
  return [...hours.values()];
}
