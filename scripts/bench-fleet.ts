/**
 * Fleet-view query latency over a large synthetic history written through the real writer (so every rollup is
 * what ingest maintains): N devices, D days, with metadata. Times the /fleet page's queries for 14- and 30-day
 * ranges, median of 5 runs after one warm-up. Uses a fresh database on TEST_DATABASE_URL's server, dropped at the end.
 * Run: npm run bench:fleet -- [devices=2000] [days=45]
 */
import { getFleetFunnel } from "@/lib/fleet/get-fleet-funnel.ts";
import { getFleetSeries } from "@/lib/fleet/get-fleet-series.ts";
import { countConnectedDevicesAt } from "@/lib/fleet/connected-devices.ts";
import type { FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { listAffectedDevices } from "@/lib/fleet/list-affected-devices.ts";
import { listFlappingDevices } from "@/lib/fleet/list-flapping-devices.ts";
import { listNewCodes } from "@/lib/fleet/list-new-codes.ts";
import { listOfflineDevices } from "@/lib/fleet/list-offline-devices.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { generateSyntheticFleetEvents } from "@/lib/testing/synthetic-fleet.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

const DAY = 86_400_000;
const RUNS = 5;
const BATCH = 500;
const devices = Number(process.argv[2] ?? 2000);
const days = Number(process.argv[3] ?? 45);
const FIRMWARE = ["fw-1.0", "fw-1.1", "fw-2.0", "fw-2.1"];

const database = await createTestDatabase();
try {
  const to = new Date(Date.UTC(2026, 10, 22));
  const from = new Date(to.getTime() - days * DAY);
  const events = generateSyntheticFleetEvents({
    seed: 1,
    devices,
    from,
    to,
    meanSessionMs: 10 * 3_600_000,
    meanGapMs: 10 * 60_000,
    sources: ["emqx", "aws-iot"],
    nodes: ["node-1", "node-2", "node-3"],
    takeoverRate: 0.05,
    duplicateRate: 0.01,
    lateRate: 0.05,
  });
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) await recordConnectionEvents(database.db, events.slice(i, i + BATCH));
  const writeSeconds = (performance.now() - started) / 1000;
  for (const [index, firmware] of FIRMWARE.entries()) {
    const ids = Array.from({ length: devices }, (_, d) => d)
      .filter((d) => d % FIRMWARE.length === index)
      .map((d) => `synthetic-${String(d).padStart(5, "0")}`);
    await database.db.device.updateMany({
      where: { id: { in: ids } },
      data: { firmware, region: index % 2 === 0 ? "eu-west-1" : "us-east-1", labels: { tier: index === 0 ? "gold" : "std" } },
    });
  }
  const counts = await queryRows(
    database.db,
    "tableRows",
    z.object({ table: z.string(), rows: z.number() }),
    Prisma.sql`
    SELECT 'connection_events' AS table, COUNT(*)::int AS rows FROM connection_events
    UNION ALL SELECT 'event_rollup_minute', COUNT(*)::int FROM event_rollup_minute
    UNION ALL SELECT 'device_reason_minute', COUNT(*)::int FROM device_reason_minute
    UNION ALL SELECT 'fleet_connected_minute', COUNT(*)::int FROM fleet_connected_minute`,
  );
  console.log(
    `history: ${devices} devices, ${days} days, ${events.length} events delivered, written in ${writeSeconds.toFixed(1)} s (${Math.round(events.length / writeSeconds)} events/s, batches of ${BATCH})`,
  );
  for (const row of counts) console.log(`  ${row.table}: ${row.rows} rows`);
  await database.db.$executeRaw`ANALYZE`;

  const firmware: FleetFilter = { firmware: "fw-1.0" };
  const gold: FleetFilter = { labels: { tier: "gold" }, region: "eu-west-1" };
  const node: FleetFilter = { source: "emqx", brokerNode: "node-2" };
  console.log("\n| query | 14 days (median ms) | 30 days (median ms) |\n|---|---|---|");
  const cases: [string, (range: { from: Date; to: Date }) => Promise<unknown>][] = [
    ["series (connected + disconnects by reason), unfiltered", (r) => getFleetSeries(database.db, { ...r, filter: {} })],
    ["series, source + broker node", (r) => getFleetSeries(database.db, { ...r, filter: node })],
    ["series, firmware", (r) => getFleetSeries(database.db, { ...r, filter: firmware })],
    ["breakdown by reason (+ previous period, sparkline), unfiltered", (r) => getFleetBreakdown(database.db, { by: "reason", ...r })],
    ["breakdown by code, unfiltered", (r) => getFleetBreakdown(database.db, { by: "code", ...r })],
    ["breakdown by code, firmware", (r) => getFleetBreakdown(database.db, { by: "code", ...r, filter: firmware })],
    ["breakdown by reason, label + region", (r) => getFleetBreakdown(database.db, { by: "reason", ...r, filter: gold })],
    ["attempt funnel, unfiltered", (r) => getFleetFunnel(database.db, r)],
    ["attempt funnel, firmware", (r) => getFleetFunnel(database.db, { ...r, filter: firmware })],
    ["attempt funnel, label + region", (r) => getFleetFunnel(database.db, { ...r, filter: gold })],
    [
      "affected devices (code emqx:tcp_closed)",
      (r) => listAffectedDevices(database.db, { by: "code", key: "emqx:tcp_closed", ...r, filter: {}, limit: 100 }),
    ],
    ["flapping devices", (r) => listFlappingDevices(database.db, { ...r, filter: {}, limit: 20 })],
    ["new codes", (r) => listNewCodes(database.db, { ...r, filter: {}, limit: 50 })],
    ["offline longest (current state)", () => listOfflineDevices(database.db, { filter: {}, limit: 20 })],
    ["countConnectedDevicesAt (end of range)", (r) => countConnectedDevicesAt(database.db, r.to)],
  ];
  for (const [name, run] of cases) {
    const cells: string[] = [];
    for (const spanDays of [14, 30]) {
      const range = { from: new Date(to.getTime() - spanDays * DAY), to };
      await run(range);
      const timings: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const t0 = performance.now();
        await run(range);
        timings.push(performance.now() - t0);
      }
      timings.sort((a, b) => a - b);
      cells.push((timings[Math.floor(RUNS / 2)] ?? 0).toFixed(0));
    }
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
} finally {
  await database.drop();
}
