import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount } from "@/lib/db/sql-values.ts";
import { EventKindSchema, ReasonSchema } from "@/lib/events/connection-event.ts";
import { shapeAttemptFunnel, type AttemptFunnel } from "@/lib/funnel/attempt-funnel.ts";
import { isUnfiltered, reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";

const FleetFunnelRowSchema = z.object({ kind: EventKindSchema, reason: ReasonSchema, code: z.string(), count: SqlCount });

export type FleetFunnel = AttemptFunnel & { from: Date; to: Date };

/**
 * The fleet's connection attempts in [from, to) by the stage they reached, from the rollups by code the breakdown
 * reads (quarter days and hours in the middle, minutes at the edges: never connection_events). Unfiltered, the fleet
 * rollup holds every kind, connects and device reports included; a filtered view reads the per-device rollup, which
 * holds only disconnects and failed connects, so its attempts are not counted and its device side is missing.
 */
export async function getFleetFunnel(db: Db, input: { from: Date; to: Date; filter?: FleetFilter }): Promise<FleetFunnel> {
  const filter = input.filter ?? {};
  const relation = reasonRollupRelation(filter, { rollupCuts: { cuts: [input.from, input.to], quarterDays: true } });
  const rows = await queryRows(
    db,
    "getFleetFunnel",
    FleetFunnelRowSchema,
    Prisma.sql`
    SELECT kind, reason, code, SUM(count) AS count
    FROM ${relation} x
    WHERE bucket >= ${input.from} AND bucket < ${input.to}
    GROUP BY kind, reason, code
    HAVING SUM(count) > 0`,
  );
  const funnel = shapeAttemptFunnel(
    rows.map((row) => ({
      side: row.kind === "device_report" ? ("device" as const) : ("broker" as const),
      kind: row.kind,
      reason: row.reason,
      code: row.code === "" ? null : row.code,
      phase: null,
      count: row.count,
      latestAt: null,
    })),
    { connectsCounted: isUnfiltered(filter) },
  );
  return { from: input.from, to: input.to, ...funnel };
}
