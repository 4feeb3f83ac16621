import { Prisma, type Db } from "@/lib/db/client.ts";
import { connectedGaugeSql, connectedScopeConditions, type FleetScope } from "./connected-devices.ts";
import { connectedAtBinEnds, connectedDeltaRanges } from "./connected-anchors.ts";
import { binStarts } from "./fleet-interval.ts";
import { withinRanges } from "./split-at-buckets.ts";
import type { ConnectedPoint } from "./shape-fleet-series.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

/**
 * Connected devices at the end of each `stepMs` bin over [from, to): the gauge's count before the first bin, the
 * hourly snapshots inside the range (each the exact count at its hour), and per-minute deltas from
 * fleet_connected_minute only where no snapshot covers them (decision 044), so a 30-day series reads ~700 snapshot
 * rows instead of every minute; no raw events, no sessions.
 */
export async function listConnectedSeries(
  db: Db,
  input: { from: Date; to: Date; stepMs: number; scope?: FleetScope },
): Promise<ConnectedPoint[]> {
  const first = new Date(binStarts(input, input.stepMs)[0] ?? input.from.getTime());
  const range = { from: first, to: input.to };
  const scope = connectedScopeConditions(input.scope ?? {});
  const [baseRows, anchors] = await Promise.all([
    queryRows(
      db,
      "listConnectedSeries.base",
      z.object({ base: z.number() }),
      Prisma.sql`SELECT ${connectedGaugeSql(first, input.scope ?? {}, false)}::int AS base`,
    ),
    queryRows(
      db,
      "listConnectedSeries.snapshots",
      z.object({ at: SqlDate, connected: z.number() }),
      Prisma.sql`
      SELECT at, SUM(connected)::int AS connected FROM fleet_connected_snapshots
      WHERE at > ${first} AND at <= ${input.to} ${scope} GROUP BY at`,
    ),
  ]);
  const ranges = connectedDeltaRanges(range, input.stepMs, anchors);
  const deltas =
    ranges.length === 0
      ? []
      : await queryRows(
          db,
          "listConnectedSeries.deltas",
          z.object({ t: SqlDate, delta: z.number() }),
          Prisma.sql`
          SELECT date_bin(make_interval(secs => ${input.stepMs / 1000}), m.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t,
                 SUM(m.delta)::int AS delta
          FROM fleet_connected_minute m
          -- The outer bounds give the planner one index range; the ranges inside it pick the minutes.
          WHERE m.bucket >= ${ranges[0]?.from} AND m.bucket < ${ranges.at(-1)?.to} AND (${withinRanges(ranges, Prisma.sql`m.bucket`)}) ${scope}
          GROUP BY 1`,
        );
  const binDeltas = new Map(deltas.map((row) => [row.t.getTime(), row.delta]));
  return connectedAtBinEnds(baseRows[0]?.base ?? 0, binDeltas, range, input.stepMs, anchors);
}
