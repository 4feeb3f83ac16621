/**
 * Cohort and rollout query latency at fleet scale: N devices (default 100,000) with a week of sessions and per-device
 * reason rollups built directly in SQL (the shapes the writer maintains), 8 firmware versions (one with twice the
 * drop rate), and a quarter of the fleet moved to a new version 6 hours before the end. Times each query 20 times
 * after one warm-up and prints p50 / p95 with the load average. Uses a fresh database on TEST_DATABASE_URL's server,
 * dropped at the end. Run: npm run bench:cohorts -- [devices=100000]
 */
import { loadavg } from "node:os";
import { getFirmwareRollout } from "@/lib/cohorts/get-rollout.ts";
import { compareCohortPair, listCohorts } from "@/lib/cohorts/list-cohorts.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

const HOUR = 3_600_000;
const RUNS = 20;
const DAYS = 7;
const devices = Number(process.argv[2] ?? 100_000);

const database = await createTestDatabase();
const { db } = database;
try {
  const end = new Date(Date.UTC(2026, 10, 22));
  const start = new Date(end.getTime() - DAYS * 24 * HOUR);
  const moved = new Date(end.getTime() - 6 * HOUR);
  const seeding = performance.now();
  await db.$executeRaw`
    INSERT INTO devices (id, state, source, broker_node, firmware, region, network, labels, first_seen_at)
    SELECT 'bench-' || lpad(i::text, 6, '0'), 'online', 'emqx', 'node-' || (i % 3),
           'fw-' || (i % 8), (ARRAY['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'])[1 + i % 4],
           (ARRAY['lte', 'wifi', 'ethernet'])[1 + i % 3], jsonb_build_object('model', 'M' || (i % 5)), ${start}::timestamptz
    FROM generate_series(0, ${devices - 1}::int) i`;
  // A session every 12 h per device, each ending in a drop a little before the next begins; the last one open.
  await db.$executeRaw`
    INSERT INTO sessions (device_id, session_key, started_at, ended_at, duration_ms, end_reason)
    SELECT 'bench-' || lpad(i::text, 6, '0'), 's' || k, s.started_at,
           CASE WHEN k < ${DAYS * 2 - 1}::int THEN s.started_at + interval '11 hours' END,
           CASE WHEN k < ${DAYS * 2 - 1}::int THEN 11 * 3600000 END,
           CASE WHEN k < ${DAYS * 2 - 1}::int THEN 'connection_lost'::"Reason" END
    FROM generate_series(0, ${devices - 1}::int) i, generate_series(0, ${DAYS * 2 - 1}::int) k,
         LATERAL (SELECT ${start}::timestamptz + k * interval '12 hours' + (i % 600) * interval '1 minute' AS started_at) s`;
  await db.$executeRaw`
    INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
    SELECT date_trunc('minute', s.ended_at), s.device_id, 'disconnected'::"EventKind", 'connection_lost'::"Reason", 'emqx:tcp_closed', 'emqx', 'node-1', 1
    FROM sessions s WHERE s.ended_at IS NOT NULL`;
  // fw-3 drops twice as often (a keepalive timeout mid-session), every tenth device is refused once a day, and the
  // moved quarter drops twice as often after its move.
  await db.$executeRaw`
    INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
    SELECT date_trunc('minute', s.started_at + interval '5 hours'), s.device_id, 'disconnected'::"EventKind", 'keepalive_timeout'::"Reason", 'emqx:keepalive_timeout', 'emqx', 'node-1', 1
    FROM sessions s JOIN devices d ON d.id = s.device_id
    WHERE d.firmware = 'fw-3' OR (right(d.id, 6)::int % 4 = 1 AND s.started_at + interval '5 hours' >= ${moved})
    UNION ALL
    SELECT date_trunc('minute', ${start}::timestamptz + day * interval '1 day' + interval '3 hours'), d.id, 'connect_failed'::"EventKind", 'not_authorized'::"Reason", 'connack:5', 'emqx', 'node-1', 1
    FROM devices d, generate_series(0, ${DAYS - 1}::int) day WHERE right(d.id, 1) = '7'
    ON CONFLICT DO NOTHING`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${start}`;
  await db.$executeRaw`UPDATE devices SET firmware = 'fw-9' WHERE right(id, 6)::int % 4 = 1`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${moved} WHERE to_firmware = 'fw-9'`;
  await db.$executeRaw`ANALYZE`;
  const counts = await queryRows(db, "tableRows", z.object({ table: z.string(), rows: z.number() }), Prisma.sql`
    SELECT 'devices' AS table, COUNT(*)::int AS rows FROM devices
    UNION ALL SELECT 'sessions', COUNT(*)::int FROM sessions
    UNION ALL SELECT 'device_reason_minute', COUNT(*)::int FROM device_reason_minute
    UNION ALL SELECT 'device_firmware_changes (moves)', COUNT(*)::int FROM device_firmware_changes WHERE from_firmware IS NOT NULL`);
  console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  for (const row of counts) console.log(`  ${row.table}: ${row.rows.toLocaleString("en-US")} rows`);

  const day = { from: new Date(end.getTime() - 24 * HOUR), to: end, now: end, filter: {} };
  const week = { ...day, from: start };
  const cases: [string, () => Promise<unknown>][] = [
    ["cohorts by firmware, 24 h", () => listCohorts(db, { ...day, by: { kind: "firmware" } })],
    ["cohorts by firmware, 7 days", () => listCohorts(db, { ...week, by: { kind: "firmware" } })],
    ["cohorts by label model, 24 h, region filter", () => listCohorts(db, { ...day, by: { kind: "label", key: "model" }, filter: { region: "eu-west-1" } })],
    ["compare fw-3 against the rest, 24 h (with reasons)", () => compareCohortPair(db, { ...day, by: { kind: "firmware" }, a: "fw-3", b: null })],
    ["rollout fw-9 (25k devices), 24 h each side", () => getFirmwareRollout(db, { firmware: "fw-9", spanHours: 24, filter: {}, now: end })],
  ];
  const loadBefore = loadavg()[0] ?? 0;
  console.log(`\n| query (${devices.toLocaleString("en-US")} devices) | p50 ms | p95 ms |\n|---|---:|---:|`);
  for (const [name, run] of cases) {
    await run();
    const timings: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      await run();
      timings.push(performance.now() - t0);
    }
    timings.sort((a, b) => a - b);
    const at = (q: number) => (timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] ?? 0).toFixed(0);
    console.log(`| ${name} | ${at(0.5)} | ${at(0.95)} |`);
  }
  console.log(`\nload average (1 min) ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after, on ${(await import("node:os")).cpus().length} cores`);
} finally {
  await database.drop();
}
