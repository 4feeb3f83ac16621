import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { rollupCutsFor, reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";
import { binStarts } from "./fleet-interval.ts";
import { shapeDisconnectSeries, type DisconnectSeries } from "./shape-fleet-series.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

/** Disconnects per `stepMs` bin and canonical reason over [from, to), from the minute rollups (filtered: per device). */
export async function listDisconnectSeries(
  db: Db,
  input: { from: Date; to: Date; stepMs: number; filter: FleetFilter },
): Promise<DisconnectSeries> {
  const first = new Date(binStarts(input, input.stepMs)[0] ?? input.from.getTime());
  const rows = await queryRows(
    db,
    "listDisconnectSeries",
    z.object({ t: SqlDate, reason: ReasonSchema, count: z.number() }),
    Prisma.sql`
    SELECT date_bin(make_interval(secs => ${input.stepMs / 1000}), bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t,
           reason::text AS reason, SUM(count)::int AS count
    FROM ${reasonRollupRelation(input.filter, { rollupCuts: rollupCutsFor([first, input.to], input.stepMs) })} x
    WHERE kind = 'disconnected' AND bucket >= ${first} AND bucket < ${input.to}
    GROUP BY 1, 2`,
  );
  return shapeDisconnectSeries(rows, input, input.stepMs);
}
