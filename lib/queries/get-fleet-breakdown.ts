import { Prisma, type Db } from "@/lib/db/client.ts";
import { rollupCutsFor, reasonRollupRelation, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { chooseInterval, previousPeriod } from "@/lib/fleet/fleet-interval.ts";
import { shapeBreakdown, type BreakdownTrendItem } from "@/lib/fleet/shape-fleet-series.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

export type BreakdownDimension = "reason" | "code";

/** key (reason or code, null without a code), disconnects, failedConnects, total; plus share, change and sparkline. */
export type BreakdownItem = BreakdownTrendItem;

export type FleetBreakdown = {
  by: BreakdownDimension;
  from: Date;
  to: Date;
  /** The previous equal period the changes compare against. */
  previousFrom: Date;
  /** Width of one sparkline bin. */
  sparklineStepMs: number;
  items: BreakdownItem[];
};

/** A reason or code ("" without a code), the bin (null: the previous period) and its counts. */
const BreakdownTrendRowSchema = z.object({ key: z.string(), t: SqlDate.nullable(), disconnects: z.number(), failedConnects: z.number() });

/** Bins per sparkline. */
const SPARKLINE_POINTS = 30;

/**
 * Disconnects and failed connects in [from, to) grouped by reason or vendor code, each with its share, a
 * sparkline and the change against the previous equal period; from the minute rollups (per device when filtered).
 */
export async function getFleetBreakdown(
  db: Db,
  input: { by: BreakdownDimension; from: Date; to: Date; filter?: FleetFilter },
): Promise<FleetBreakdown> {
  const previous = previousPeriod(input);
  const stepMs = chooseInterval(input, SPARKLINE_POINTS);
  const column = input.by === "reason" ? Prisma.sql`reason::text` : Prisma.sql`code`;
  const rows = await queryRows(
    db,
    "getFleetBreakdown",
    BreakdownTrendRowSchema,
    Prisma.sql`
    SELECT ${column} AS key,
           CASE WHEN bucket >= ${input.from}
                THEN date_bin(make_interval(secs => ${stepMs / 1000}), bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') END AS t,
           COALESCE(SUM(count) FILTER (WHERE kind = 'disconnected'), 0)::int AS disconnects,
           COALESCE(SUM(count) FILTER (WHERE kind = 'connect_failed'), 0)::int AS "failedConnects"
    FROM ${reasonRollupRelation(input.filter ?? {}, { rollupCuts: rollupCutsFor([previous.from, input.from, input.to], stepMs) })} x
    WHERE bucket >= ${previous.from} AND bucket < ${input.to} AND kind IN ('disconnected', 'connect_failed')
    GROUP BY 1, 2`,
  );
  return {
    by: input.by,
    from: input.from,
    to: input.to,
    previousFrom: previous.from,
    sparklineStepMs: stepMs,
    items: shapeBreakdown(rows, input, stepMs),
  };
}
