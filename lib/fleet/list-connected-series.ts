import { Prisma, type Db } from "@/lib/db/client.ts";
import { connectedGaugeSql, connectedScopeConditions, type FleetScope } from "./connected-devices.ts";
import { binStarts } from "./fleet-interval.ts";
import { shapeConnectedSeries, type ConnectedPoint } from "./shape-fleet-series.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

/**
 * Connected devices at the end of each `stepMs` bin over [from, to): the gauge's count before the first bin plus
 * the running sum of its per-minute deltas (the count from the latest snapshot, the deltas from fleet_connected_minute;
 * no raw events, no sessions).
 */
export async function listConnectedSeries(
  db: Db,
  input: { from: Date; to: Date; stepMs: number; scope?: FleetScope },
): Promise<ConnectedPoint[]> {
  const first = new Date(binStarts(input, input.stepMs)[0] ?? input.from.getTime());
  const scope = connectedScopeConditions(input.scope ?? {});
  const stepSeconds = input.stepMs / 1000;
  const [baseRows, deltas] = await Promise.all([
    queryRows(
      db,
      "listConnectedSeries.base",
      z.object({ base: z.number() }),
      Prisma.sql`
      SELECT ${connectedGaugeSql(first, input.scope ?? {}, false)}::int AS base`,
    ),
    queryRows(
      db,
      "listConnectedSeries.deltas",
      z.object({ t: SqlDate, delta: z.number() }),
      Prisma.sql`
      SELECT date_bin(make_interval(secs => ${stepSeconds}), bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t, SUM(delta)::int AS delta
      FROM fleet_connected_minute
      WHERE bucket >= ${first} AND bucket < ${input.to} ${scope}
      GROUP BY 1`,
    ),
  ]);
  return shapeConnectedSeries(baseRows[0]?.base ?? 0, deltas, input, input.stepMs);
}
