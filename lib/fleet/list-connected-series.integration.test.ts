import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { refreshConnectedSnapshots } from "@/lib/storage/connected-snapshots.ts";
import { createFleetTestDatabase } from "@/lib/testing/fleet-test-database.ts";
import type { TestDatabase } from "@/lib/testing/test-database.ts";
import { connectedScopeConditions, type FleetScope } from "./connected-devices.ts";
import { binStarts } from "./fleet-interval.ts";
import { listConnectedSeries } from "./list-connected-series.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = new Date(Date.UTC(2026, 9, 3));
const TO = new Date(FROM.getTime() + 30 * HOUR);
const SCOPES: FleetScope[] = [{}, { source: "aws-iot" }, { source: "emqx", brokerNode: "node-b" }];
const READS = [
  { from: new Date(FROM.getTime() + 37 * MINUTE), to: new Date(TO.getTime() - 13 * MINUTE), stepMs: 10 * MINUTE },
  { from: new Date(FROM.getTime() + 37 * MINUTE), to: new Date(TO.getTime() - 13 * MINUTE), stepMs: HOUR },
  { from: FROM, to: new Date(TO.getTime() - 13 * MINUTE), stepMs: 6 * HOUR },
];

describe("connected series from hourly snapshots and the minutes they leave", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createFleetTestDatabase(
      { seed: 4, devices: 40, from: FROM, to: TO, sources: ["emqx", "aws-iot"], meanSessionMs: 50 * MINUTE, meanGapMs: 7 * MINUTE },
      { batchSize: 101 },
    );
  });
  afterAll(() => test?.drop());

  /** The gauge at the end of each bin as every delta before it summed: what the series must equal. */
  const summedDeltas = async (read: { from: Date; to: Date; stepMs: number }, scope: FleetScope) => {
    const ends = binStarts(read, read.stepMs).map((start) => new Date(Math.min(start + read.stepMs, read.to.getTime())));
    const rows = await queryRows(
      test.db,
      "summedDeltas",
      z.object({ connected: z.number() }),
      Prisma.sql`SELECT (SELECT COALESCE(SUM(delta), 0) FROM fleet_connected_minute WHERE bucket < e.at ${connectedScopeConditions(scope)})::int AS connected
      FROM unnest(${ends.map((end) => end.toISOString())}::timestamptz[]) WITH ORDINALITY AS e(at, i) ORDER BY e.i`,
    );
    return rows.map((row) => row.connected);
  };
  const expectSeriesEqualSummedDeltas = async () => {
    for (const read of READS)
      for (const scope of SCOPES) {
        const series = await listConnectedSeries(test.db, { ...read, scope });
        expect(
          series.map((point) => point.connected),
          JSON.stringify({ step: read.stepMs, scope }),
        ).toEqual(await summedDeltas(read, scope));
      }
  };

  it("equals the summed deltas with no snapshot, snapshots up to the middle of the range, and every hour's", async () => {
    await expectSeriesEqualSummedDeltas();
    expect((await refreshConnectedSnapshots(test.db, new Date(FROM.getTime() + 14 * HOUR + 20 * MINUTE))).written).toBeGreaterThan(0);
    await expectSeriesEqualSummedDeltas();
    await refreshConnectedSnapshots(test.db, TO);
    await expectSeriesEqualSummedDeltas();
    const peak = Math.max(...(await listConnectedSeries(test.db, { ...READS[1]!, scope: {} })).map((point) => point.connected));
    expect(peak).toBeGreaterThan(5);
  });
});
