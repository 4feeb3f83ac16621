import { cpus, loadavg } from "node:os";
import { getFirmwareRollout } from "@/lib/cohorts/get-rollout.ts";
import { foldCohortHours } from "@/lib/cohorts/fold-cohort-hours.ts";
import { compareCohortPair, listCohorts } from "@/lib/cohorts/list-cohorts.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { getFleetSeries } from "@/lib/fleet/get-fleet-series.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";
import { scaleDeviceId } from "@/lib/testing/scale-fleet.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt } from "@/lib/db/sql-values.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SAMPLES = 30;

type Case = { name: string; target?: number; run: (i: number) => Promise<unknown> };

async function time(run: (i: number) => Promise<unknown>, samples: number): Promise<{ p50: number; p95: number }> {
  await run(samples);
  const timings: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const t0 = performance.now();
    await run(i);
    timings.push(performance.now() - t0);
  }
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

/** A quarter of the fleet moves to fw-9 six hours before the end (once), so the rollout view has a rollout to show. */
async function seedRollout(db: Db, end: Date): Promise<void> {
  const [moved] = await queryRows(
    db,
    "countMovedDevices",
    z.object({ n: z.number() }),
    Prisma.sql`SELECT COUNT(*)::int AS n FROM devices WHERE firmware = 'fw-9'`,
  );
  if ((moved?.n ?? 0) > 0) return;
  const at = new Date(end.getTime() - 6 * HOUR);
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = LEAST(changed_at, ${new Date(end.getTime() - 60 * DAY)})`;
  await db.$executeRaw`UPDATE devices SET firmware = 'fw-9' WHERE hashtext(id || 'rollout') & 3 = 0`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${at} WHERE to_firmware = 'fw-9'`;
}

/** The whole history folded once (timed), then the incremental fold the worker runs every 30 s (timed). */
async function foldForBenchmark(db: Db, end: Date): Promise<void> {
  await seedRollout(db, end);
  await db.$executeRaw`DELETE FROM cohort_fold_state`;
  let t0 = performance.now();
  const full = await foldCohortHours(db, { now: end });
  console.log(
    `cohort fold, whole history (${full.from.toISOString()} → ${full.to.toISOString()}): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  t0 = performance.now();
  await db.$executeRaw`UPDATE cohort_fold_state SET folded_through = ${new Date(end.getTime() - HOUR)}`;
  await foldCohortHours(db, { now: end });
  console.log(`cohort fold, incremental (last two hours, as the worker runs it): ${(performance.now() - t0).toFixed(0)} ms`);
}

/**
 * Times every read the device and fleet pages make against a built scale database and prints a Markdown table
 * with p50 / p95, the target, and storage per event.
 */
export async function measureScaleReads(db: Db, input: { end: Date; label: string }): Promise<void> {
  const { end } = input;
  const loadBefore = loadavg();
  const [counts] = await queryRows(
    db,
    "countScale",
    z.object({ events: z.number(), devices: z.number(), sessions: z.number() }),
    Prisma.sql`
    SELECT (SELECT COUNT(*) FROM connection_events)::int AS events, (SELECT COUNT(*) FROM devices)::int AS devices,
           (SELECT COUNT(*) FROM sessions)::int AS sessions`,
  );
  console.log(
    `${input.label}: ${counts?.events.toLocaleString("en-US")} events, ${counts?.devices.toLocaleString("en-US")} devices, ${counts?.sessions.toLocaleString("en-US")} sessions`,
  );

  const withCohorts = process.env.BENCH_SCALE_SKIP_COHORTS !== "1";
  if (withCohorts) await foldForBenchmark(db, end);
  await db.$executeRaw`ANALYZE`;

  // Devices spread over the fleet; the busiest one too (the timeline's worst case).
  const devices = Array.from({ length: SAMPLES + 1 }, (_, i) => scaleDeviceId((i * 3_331) % (counts?.devices ?? 1)));
  const device = (i: number) => devices[i % devices.length] as string;
  const range = (days: number) => ({ from: new Date(end.getTime() - days * DAY), to: end });
  const cases: Case[] = [
    {
      name: "device: events page (7 d, 50 newest)",
      target: 50,
      run: (i) => listDeviceEvents(db, { deviceId: device(i), ...range(7), limit: 50 }),
    },
    {
      name: "device: events page (90 d, 50 newest)",
      target: 50,
      run: (i) => listDeviceEvents(db, { deviceId: device(i), ...range(90), limit: 50 }),
    },
    { name: "device: sessions (30 d)", target: 50, run: (i) => listDeviceSessions(db, { deviceId: device(i), ...range(30) }) },
    { name: "device: detail (getDevice)", target: 50, run: (i) => getDevice(db, device(i), end) },
    {
      name: "device: diagnosis (loader + analyzers, 14 d)",
      target: 300,
      run: (i) => getDeviceDiagnosis(db, { deviceId: device(i), now: end }),
    },
    {
      name: "search: prefix scale-c012-0001",
      target: 200,
      run: () => searchDevices(db, { query: "scale-c012-0001", limit: 100, includeTotal: true }),
    },
    { name: "search: substring 00042", target: 200, run: () => searchDevices(db, { query: "00042", limit: 100, includeTotal: true }) },
  ];
  for (const days of [1, 7, 30]) {
    const span = days === 1 ? "24 h" : `${days} d`;
    cases.push(
      { name: `fleet: summary ${span}`, target: 200, run: () => getFleetSummary(db, range(days)) },
      { name: `fleet: breakdown by reason ${span}`, target: 200, run: () => getFleetBreakdown(db, { by: "reason", ...range(days) }) },
      {
        name: `fleet: breakdown by code ${span}, source + node`,
        target: 200,
        run: () => getFleetBreakdown(db, { by: "code", ...range(days), filter: { source: "emqx", brokerNode: "node-2" } }),
      },
      {
        name: `fleet: breakdown by reason ${span}, firmware`,
        target: 200,
        run: () => getFleetBreakdown(db, { by: "reason", ...range(days), filter: { firmware: "fw-2.0" } }),
      },
      { name: `fleet: series ${span}`, target: 200, run: () => getFleetSeries(db, { ...range(days), filter: {} }) },
      {
        name: `fleet: series ${span}, source + node`,
        target: 200,
        run: () => getFleetSeries(db, { ...range(days), filter: { source: "emqx", brokerNode: "node-2" } }),
      },
    );
    if (withCohorts)
      cases.push({
        name: `cohorts: by firmware ${span}`,
        target: 200,
        run: () => listCohorts(db, { ...range(days), now: end, by: { kind: "firmware" }, filter: {} }),
      });
  }
  if (withCohorts)
    cases.push(
      {
        name: "cohorts: by label model 24 h, region filter",
        target: 200,
        run: () => listCohorts(db, { ...range(1), now: end, by: { kind: "label", key: "model" }, filter: { region: "eu-west-1" } }),
      },
      {
        name: "cohorts: by region 7 d, source + node",
        target: 200,
        run: () => listCohorts(db, { ...range(7), now: end, by: { kind: "region" }, filter: { source: "emqx", brokerNode: "node-2" } }),
      },
      {
        name: "cohorts: compare fw-2.0 with the rest 24 h (+ reasons)",
        target: 200,
        run: () => compareCohortPair(db, { ...range(1), now: end, by: { kind: "firmware" }, a: "fw-2.0", b: null, filter: {} }),
      },
      {
        name: "cohorts: compare fw-2.0 with fw-1.0 30 d (+ reasons)",
        target: 200,
        run: () => compareCohortPair(db, { ...range(30), now: end, by: { kind: "firmware" }, a: "fw-2.0", b: "fw-1.0", filter: {} }),
      },
      {
        name: "rollout fw-9 (a quarter of the fleet), 24 h each side",
        target: 200,
        run: () => getFirmwareRollout(db, { firmware: "fw-9", spanHours: 24, filter: {}, now: end }),
      },
    );

  console.log(`\n| query (${input.label}) | p50 ms | p95 ms | target p95 |\n|---|---:|---:|---:|`);
  for (const item of cases) {
    const samples = item.name.startsWith("rollout") || item.name.includes("diagnosis") ? 10 : SAMPLES;
    const { p50, p95 } = await time(item.run, samples);
    console.log(
      `| ${item.name} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${item.target ?? ""}${item.target && p95 > item.target ? " ✗" : ""} |`,
    );
  }

  const sizes = await queryRows(
    db,
    "tableSizes",
    z.object({ table: z.string(), bytes: SqlBigInt }),
    Prisma.sql`
    SELECT COALESCE(pg_partition_root(c.oid), c.oid)::regclass::text AS table, SUM(pg_total_relation_size(c.oid))::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY 1 ORDER BY 2 DESC LIMIT 14`,
  );
  const events = counts?.events ?? 1;
  const total = sizes.reduce((sum, row) => sum + Number(row.bytes), 0);
  console.log(`\n| table | MB | bytes per event |\n|---|---:|---:|`);
  for (const row of sizes)
    console.log(`| ${row.table} | ${(Number(row.bytes) / 1e6).toFixed(0)} | ${(Number(row.bytes) / events).toFixed(0)} |`);
  console.log(`| all of the above | ${(total / 1e6).toFixed(0)} | ${(total / events).toFixed(0)} |`);
  const loadAfter = loadavg();
  console.log(
    `\nload average (1/5/15 min) before ${loadBefore.map((v) => v.toFixed(1)).join(" / ")}, after ${loadAfter.map((v) => v.toFixed(1)).join(" / ")}, ${cpus().length} cores`,
  );
}
