import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { downsampleMinuteRollups, expireHourlyRollups } from "@/lib/storage/downsample-minute-rollups.ts";
import { mergeRollupShards } from "@/lib/storage/merge-rollup-shards.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { countQuarterDaysOffHours } from "@/lib/testing/count-quarter-days-off-hours.ts";
import { createFleetTestDatabase } from "@/lib/testing/fleet-test-database.ts";
import type { TestDatabase } from "@/lib/testing/test-database.ts";
import { eventRollupRows } from "./fleet-filter.ts";
import { listDisconnectSeries } from "./list-disconnect-series.ts";

const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 9, 1));
const TO = new Date(FROM.getTime() + 30 * HOUR);
/** Ranges that start and end inside hours, so the edges are read from minutes. */
const RANGES = [
  { from: new Date(FROM.getTime() + 17 * 60_000), to: new Date(FROM.getTime() + 9 * HOUR + 41 * 60_000) },
  { from: new Date(FROM.getTime() + 5 * HOUR + 59 * 60_000), to: new Date(TO.getTime() - 23 * 60_000) },
  { from: new Date(FROM.getTime() + 3 * HOUR + 5 * 60_000), to: new Date(FROM.getTime() + 3 * HOUR + 50 * 60_000) },
];
const QUARTER_DAY_TABLES = {
  hours: "event_rollup_hour",
  quarterDays: "event_rollup_quarter_day",
  keys: ["kind", "reason", "code", "shard"],
} as const;
const CountsSchema = z.object({ kind: z.string(), reason: z.string(), code: z.string(), count: z.number() });

describe("hourly and quarter-day event rollups", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createFleetTestDatabase(
      { seed: 38, devices: 60, from: FROM, to: TO, meanSessionMs: 40 * 60_000, meanGapMs: 5 * 60_000 },
      { batchSize: 97 },
    );
  });
  afterAll(() => test?.drop());

  const minuteCounts = (range: { from: Date; to: Date }) =>
    queryRows(
      test.db,
      "minuteCounts",
      CountsSchema,
      Prisma.sql`SELECT kind::text AS kind, reason::text AS reason, code, SUM(count)::int AS count FROM event_rollup_minute
      WHERE bucket >= ${range.from} AND bucket < ${range.to} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
  const hourlyCounts = (range: { from: Date; to: Date }, quarterDays = false) =>
    queryRows(
      test.db,
      "hourlyCounts",
      CountsSchema,
      Prisma.sql`SELECT kind::text AS kind, reason::text AS reason, code, SUM(count)::int AS count
      FROM ${eventRollupRows({ cuts: [range.from, range.to], quarterDays })} x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
  /** Reads the minutes, the hours and the quarter days with hours and minutes at the edges all count the same. */
  const expectSameCounts = async (range: { from: Date; to: Date }) => {
    const expected = await minuteCounts(range);
    expect(await hourlyCounts(range)).toEqual(expected);
    expect(await hourlyCounts(range, true)).toEqual(expected);
  };

  it("reads whole quarter days and hours plus minute edges to the same counts as minutes alone, also after shard merges and downsampling", async () => {
    for (const range of RANGES) await expectSameCounts(range);
    expect(await countQuarterDaysOffHours(test.db, QUARTER_DAY_TABLES)).toBe(0);
    await test.db.$executeRaw`UPDATE event_rollup_minute SET shard = 1 WHERE EXTRACT(minute FROM bucket)::int % 3 = 0`;
    expect(await countQuarterDaysOffHours(test.db, QUARTER_DAY_TABLES)).toBe(0);
    await mergeRollupShards(test.db, TO);
    await downsampleMinuteRollups(test.db, new Date(FROM.getTime() + 8 * HOUR));
    const whole = { from: new Date(FROM.getTime() + 8 * HOUR), to: TO };
    await expectSameCounts(whole);
    expect(await countQuarterDaysOffHours(test.db, QUARTER_DAY_TABLES)).toBe(0);
    expect((await hourlyCounts({ from: FROM, to: TO })).length).toBeGreaterThan(5);
  });

  it("gives the fleet summary, breakdown and series of a minute-only reading", async () => {
    for (const range of RANGES) {
      const summary = await getFleetSummary(test.db, range);
      const counts = await minuteCounts(range);
      const total = (kind: string) => counts.filter((c) => c.kind === kind).reduce((sum, c) => sum + c.count, 0);
      expect([summary.connects, summary.disconnects, summary.failedConnects]).toEqual([
        total("connected"),
        total("disconnected"),
        total("connect_failed"),
      ]);
      // A source filter that matches every event reads the per-device minutes: the same answers, another path.
      const everySource = { source: "emqx" };
      expect(await getFleetBreakdown(test.db, { by: "code", ...range })).toEqual(
        await getFleetBreakdown(test.db, { by: "code", ...range, filter: everySource }),
      );
      for (const stepMs of [HOUR, 6 * HOUR])
        expect(await listDisconnectSeries(test.db, { ...range, stepMs, filter: {} })).toEqual(
          await listDisconnectSeries(test.db, { ...range, stepMs, filter: everySource }),
        );
    }
  });

  // Last: expiry deletes event_rollup_minute rows only, so the per-device reading above no longer matches after it.
  it("keeps quarter days equal to their hours after expiry", async () => {
    await expireHourlyRollups(test.db, new Date(FROM.getTime() + 9 * HOUR + 30 * 60_000));
    await expectSameCounts({ from: FROM, to: TO });
    expect(await countQuarterDaysOffHours(test.db, QUARTER_DAY_TABLES)).toBe(0);
  });
});
