import type { Db } from "@/lib/db/client.ts";

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
    db.eventRollupMinute.groupBy({
      by: ["kind"],
      where: { bucket: { gte: range.from, lt: range.to }, kind: { in: ["connected", "disconnected", "connect_failed"] } },
      _sum: { count: true },
    }),
    db.deadLetter.count({ where: { receivedAt: { gte: range.from, lt: range.to } } }),
  ]);
  const countOf = (kind: string) => byKind.find((row) => row.kind === kind)?._sum.count ?? 0;
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
