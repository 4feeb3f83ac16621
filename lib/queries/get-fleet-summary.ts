import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { eventRollupRows } from "@/lib/fleet/fleet-filter.ts";
import { z } from "zod";

export type FleetSummary = {
  from: Date;
  to: Date;
  devicesOnline: number;
  devicesTotal: number;
  connects: number;
  disconnects: number;
  failedConnects: number;
  /** Inputs rejected by ingest in the range (malformed payloads, unknown formats). */
  deadLetters: number;
};

/** Fleet counters for [from, to): event counts come from the per-minute rollups, never raw events. */
export async function getFleetSummary(db: Db, range: { from: Date; to: Date }): Promise<FleetSummary> {
  const [devicesOnline, devicesTotal, byKind, deadLetters] = await Promise.all([
    db.device.count({ where: { state: "online" } }),
    db.device.count(),
    queryRows(
      db,
      "countEventsByKind",
      z.object({ kind: z.string(), count: z.number() }),
      Prisma.sql`
      SELECT kind::text AS kind, SUM(count)::int AS count FROM ${eventRollupRows({ cuts: [range.from, range.to], quarterDays: true })} x
      WHERE kind IN ('connected', 'disconnected', 'connect_failed') GROUP BY kind`,
    ),
    db.deadLetter.count({ where: { receivedAt: { gte: range.from, lt: range.to } } }),
  ]);
  const countOf = (kind: string) => byKind.find((row) => row.kind === kind)?.count ?? 0;
  return {
    from: range.from,
    to: range.to,
    devicesOnline,
    devicesTotal,
    connects: countOf("connected"),
    disconnects: countOf("disconnected"),
    failedConnects: countOf("connect_failed"),
    deadLetters,
  };
}
