import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { downsampleMinuteRollups, expireHourlyRollups } from "@/lib/storage/downsample-minute-rollups.ts";
import { dropMonthPartitionsBefore, ensureMonthPartitions } from "@/lib/storage/time-partitions.ts";
import { recordInBatches } from "@/lib/testing/fleet-test-database.ts";
import { generateSyntheticFleetEvents } from "@/lib/testing/synthetic-fleet.ts";
import { countQuarterDaysOffHours } from "@/lib/testing/count-quarter-days-off-hours.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";

const HOUR = 3_600_000;
/** Crosses a month boundary, so the retention step can drop a month of device_reason_minute. */
const FROM = new Date(Date.UTC(2026, 9, 31, 12));
const TO = new Date(FROM.getTime() + 30 * HOUR);
const RANGES = [
  { from: new Date(FROM.getTime() + 17 * 60_000), to: new Date(FROM.getTime() + 21 * HOUR + 41 * 60_000) },
  { from: new Date(FROM.getTime() + 11 * HOUR + 59 * 60_000), to: new Date(TO.getTime() - 23 * 60_000) },
];
const FILTERS: FleetFilter[] = [
  { source: "emqx" },
  { source: "aws-iot", brokerNode: "node-b" },
  { brokerNode: "node-a" },
  { firmware: "fw-1" },
  { region: "r-0", source: "aws-iot" },
  { network: "lte" },
  { labels: { model: "m-2" } },
];
const QUARTER_DAY_TABLES = {
  hours: "fleet_reason_hour",
  quarterDays: "fleet_reason_quarter_day",
  keys: ["dimension", "value", "source", "broker_node", "kind", "reason", "code"],
} as const;
const CountsSchema = z.object({ kind: z.string(), reason: z.string(), code: z.string(), count: z.number() });

describe("hourly and quarter-day reason rollups by source, broker node and device metadata (fleet_reason_hour, _quarter_day)", () => {
  const test = useTestDatabase();
  beforeAll(async () => {
    const events = generateSyntheticFleetEvents({
      seed: 44,
      devices: 48,
      from: FROM,
      to: TO,
      sources: ["emqx", "aws-iot"],
      meanSessionMs: 40 * 60_000,
      meanGapMs: 5 * 60_000,
      duplicateRate: 0.02,
      lateRate: 0.05,
    });
    const half = Math.floor(events.length / 2);
    await recordInBatches(test.db, events.slice(0, half), 97);
    // Metadata arrives half-way: hours written before it move under it, later ones are written under it.
    await test.db.$executeRaw`
      UPDATE devices SET firmware = 'fw-' || (hashtext(id) & 3), region = 'r-' || (hashtext(id || 'r') & 1),
        network = CASE WHEN hashtext(id || 'n') & 1 = 0 THEN 'lte' END,
        labels = jsonb_build_object('model', 'm-' || (hashtext(id || 'm') & 3), 'rack', 7)`;
    await recordInBatches(test.db, events.slice(half), 97);
  });

  const perDeviceCounts = (filter: FleetFilter, range: { from: Date; to: Date }) =>
    queryRows(
      test.db,
      "perDeviceCounts",
      CountsSchema,
      Prisma.sql`SELECT kind::text AS kind, reason::text AS reason, code, SUM(count)::int AS count FROM ${reasonRollupRelation(filter)} x
      WHERE bucket >= ${range.from} AND bucket < ${range.to} GROUP BY 1, 2, 3 HAVING SUM(count) <> 0 ORDER BY 1, 2, 3`,
    );
  const hourlyCounts = (filter: FleetFilter, range: { from: Date; to: Date }, quarterDays: boolean) =>
    queryRows(
      test.db,
      "hourlyCounts",
      CountsSchema,
      Prisma.sql`SELECT kind::text AS kind, reason::text AS reason, code, SUM(count)::int AS count
      FROM ${reasonRollupRelation(filter, { rollupCuts: { cuts: [range.from, range.to], quarterDays } })} x
      GROUP BY 1, 2, 3 HAVING SUM(count) <> 0 ORDER BY 1, 2, 3`,
    );
  const expectSameCounts = async (ranges: { from: Date; to: Date }[]) => {
    for (const range of ranges)
      for (const filter of FILTERS) {
        const expected = await perDeviceCounts(filter, range);
        expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
        expect(await hourlyCounts(filter, range, false), JSON.stringify(filter)).toEqual(expected);
        expect(await hourlyCounts(filter, range, true), JSON.stringify(filter)).toEqual(expected);
      }
    expect(await countQuarterDaysOffHours(test.db, QUARTER_DAY_TABLES)).toBe(0);
  };

  it("reads whole quarter days and hours plus minute edges to the counts of the per-device minutes joined to devices now", async () => {
    await expectSameCounts(RANGES);
  });

  it("follows metadata changes, devices deleted and re-created, downsampling in place and dropped months", async () => {
    const [moved, deleted] = await queryRows(
      test.db,
      "twoDevices",
      z.object({ id: z.string() }),
      Prisma.sql`SELECT id FROM devices ORDER BY id LIMIT 2`,
    );
    await test.db.device.update({ where: { id: moved?.id }, data: { firmware: "fw-1", labels: { model: "m-2" }, network: null } });
    await test.db.$executeRaw`DELETE FROM devices WHERE id = ${deleted?.id}`;
    await expectSameCounts(RANGES);
    await test.db.device.create({ data: { id: deleted?.id as string, firmware: "fw-1", region: "r-0" } });
    await expectSameCounts(RANGES);

    await downsampleMinuteRollups(test.db, new Date(FROM.getTime() + 14 * HOUR));
    await expectSameCounts(RANGES);

    const cutoff = new Date(Date.UTC(2026, 10, 1, 5));
    await ensureMonthPartitions(test.db, "device_reason_minute", TO, new Date(FROM.getTime() - 60 * 86_400_000));
    expect(await dropMonthPartitionsBefore(test.db, "device_reason_minute", cutoff)).toContain("device_reason_minute_p202610");
    await expireHourlyRollups(test.db, cutoff);
    await expectSameCounts([{ from: new Date(FROM.getTime() + 7 * 60_000), to: TO }]);
  });

  it("keeps the plans of the functions device_reason_minute's triggers call on every writer batch (PL/pgSQL, decision 062)", async () => {
    // Postgres 15 plans a SQL-language function's body again on every call.
    const languages = await queryRows(
      test.db,
      "triggerFunctionLanguages",
      z.object({ name: z.string(), language: z.string() }),
      Prisma.sql`
        SELECT p.proname AS name, l.lanname AS language FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.proname IN ('linkscope_add_fleet_reason_hours', 'linkscope_add_fleet_reason_buckets',
                            'linkscope_raise_device_reason_latest', 'linkscope_recount_device_reason_latest')
        ORDER BY 1`,
    );
    expect(languages).toEqual([
      { name: "linkscope_add_fleet_reason_buckets", language: "plpgsql" },
      { name: "linkscope_add_fleet_reason_hours", language: "plpgsql" },
      { name: "linkscope_raise_device_reason_latest", language: "plpgsql" },
      { name: "linkscope_recount_device_reason_latest", language: "plpgsql" },
    ]);
  });
});
