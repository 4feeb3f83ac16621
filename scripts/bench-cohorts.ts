/**
 * Cohort and rollout query latency at fleet scale: N devices (default 100,000) with 30 days of sessions and per-device
 * reason rollups built directly in SQL (the shapes the writer maintains), 8 firmware versions (one with twice the
 * drop rate), and a quarter of the fleet moved to a new version 6 hours before the end. The cohort-hour rollups and
 * rollout periods are then built by the real fold (timed), and every query the /fleet cohort and rollout views issue is timed 20 times
 * after one warm-up (p50 / p95, load average at each step); the per-device path the rollups replaced is timed
 * alongside for comparison. Uses a fresh database on TEST_DATABASE_URL's server, dropped at the end.
 * Run: npm run bench:cohorts -- [devices=100000]; BENCH_COHORTS_KEEP=<name> keeps the database under that name (for EXPLAIN).
 */
import { cpus, loadavg } from "node:os";
import pg from "pg";
import { foldCohortHours } from "@/lib/cohorts/fold-cohort-hours.ts";
import { getFirmwareRollout, listFirmwareRollouts, readFirmwareRollout } from "@/lib/cohorts/get-rollout.ts";
import { compareCohortPair, listCohorts } from "@/lib/cohorts/list-cohorts.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { z } from "zod";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const HOUR = 3_600_000;
const TableRows = z.object({ table: z.string(), rows: z.number() });
const RUNS = 20;
const BASELINE_RUNS = 5;
const DAYS = 30;
const devices = Number(process.argv[2] ?? 100_000);

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" / ");
const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function seed(db: Db, end: Date): Promise<void> {
  const start = new Date(end.getTime() - DAYS * 24 * HOUR);
  const moved = new Date(end.getTime() - 6 * HOUR);
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
    WHERE (d.firmware = 'fw-3' OR (right(d.id, 6)::int % 4 = 1 AND s.started_at + interval '5 hours' >= ${moved}))
      AND s.started_at + interval '5 hours' < ${end}
    UNION ALL
    SELECT date_trunc('minute', ${start}::timestamptz + day * interval '1 day' + interval '3 hours'), d.id, 'connect_failed'::"EventKind", 'not_authorized'::"Reason", 'connack:5', 'emqx', 'node-1', 1
    FROM devices d, generate_series(0, ${DAYS - 1}::int) day WHERE right(d.id, 1) = '7'
    ON CONFLICT DO NOTHING`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${start}`;
  await db.$executeRaw`UPDATE devices SET firmware = 'fw-9' WHERE right(id, 6)::int % 4 = 1`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${moved} WHERE to_firmware = 'fw-9'`;
  await db.$executeRaw`ANALYZE`;
}

async function time(run: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number }> {
  await run();
  const timings: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await run();
    timings.push(performance.now() - t0);
  }
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

const database = await createTestDatabase();
const { db } = database;
try {
  const end = new Date(Date.UTC(2026, 10, 22));
  console.log(`load average (1/5/15 min) at start: ${load()}, ${cpus().length} cores`);
  let t0 = performance.now();
  await seed(db, end);
  console.log(`seeded in ${seconds(t0)} (load ${load()})`);
  const counts = await queryRows(
    db,
    "counts",
    TableRows,
    Prisma.sql`
    SELECT 'devices' AS table, COUNT(*)::int AS rows FROM devices
    UNION ALL SELECT 'sessions', COUNT(*)::int FROM sessions
    UNION ALL SELECT 'device_reason_minute', COUNT(*)::int FROM device_reason_minute
    UNION ALL SELECT 'device_firmware_changes (moves)', COUNT(*)::int FROM device_firmware_changes WHERE from_firmware IS NOT NULL`,
  );
  for (const row of counts) console.log(`  ${row.table}: ${row.rows.toLocaleString("en-US")} rows`);

  t0 = performance.now();
  const full = await foldCohortHours(db, { now: end });
  console.log(
    `cohort fold, whole history (${full.from.toISOString()} → ${full.to.toISOString()}, a week per transaction): ${seconds(t0)} (load ${load()})`,
  );
  // What the worker does every 30 s: the current hour (and the one before, when the last fold was in it) again.
  const incremental = await time(async () => {
    await db.$executeRaw`UPDATE cohort_fold_state SET folded_through = ${new Date(end.getTime() - HOUR)}`;
    await foldCohortHours(db, { now: end });
  }, 3);
  console.log(
    `cohort fold, incremental (last hour; no new moves or events): p50 ${incremental.p50.toFixed(0)} ms, p95 ${incremental.p95.toFixed(0)} ms of 3 (load ${load()})`,
  );
  // The same tick after 1,000 devices moved (to fw-10, half an hour before the end): what each new move costs.
  await db.$executeRaw`UPDATE devices SET firmware = 'fw-10' WHERE right(id, 6)::int % 4 = 2 AND right(id, 6)::int < ${4_000}`;
  await db.$executeRaw`UPDATE device_firmware_changes SET changed_at = ${new Date(end.getTime() - HOUR / 2)} WHERE to_firmware = 'fw-10'`;
  await db.$executeRaw`UPDATE cohort_fold_state SET folded_through = ${new Date(end.getTime() - HOUR)}`;
  t0 = performance.now();
  await foldCohortHours(db, { now: end });
  console.log(`cohort fold, incremental after ${Math.min(1_000, devices / 4)} new moves: ${seconds(t0)} (load ${load()})`);
  const rollupRows = await queryRows(
    db,
    "rollupRows",
    TableRows,
    Prisma.sql`
    SELECT 'cohort_hour' AS table, COUNT(*)::int AS rows FROM cohort_hour UNION ALL SELECT 'cohort_reason_hour', COUNT(*)::int FROM cohort_reason_hour
    UNION ALL SELECT 'cohort_profile_hour', COUNT(*)::int FROM cohort_profile_hour
    UNION ALL SELECT 'cohort_profile_reason_hour', COUNT(*)::int FROM cohort_profile_reason_hour
    UNION ALL SELECT 'rollout_device_period', COUNT(*)::int FROM rollout_device_period`,
  );
  for (const row of rollupRows) console.log(`  ${row.table}: ${row.rows.toLocaleString("en-US")} rows`);
  await db.$executeRaw`ANALYZE`;

  const range = (hours: number) => ({ from: new Date(end.getTime() - hours * HOUR), to: end, now: end, filter: {} });
  const firmware = { kind: "firmware" } as const;
  const cases: [string, () => Promise<unknown>][] = [
    ["cohorts by firmware, 24 h", () => listCohorts(db, { ...range(24), by: firmware })],
    ["cohorts by firmware, 7 days", () => listCohorts(db, { ...range(7 * 24), by: firmware })],
    ["cohorts by firmware, 30 days", () => listCohorts(db, { ...range(30 * 24), by: firmware })],
    [
      "cohorts by label model, 24 h, region filter",
      () => listCohorts(db, { ...range(24), by: { kind: "label", key: "model" }, filter: { region: "eu-west-1" } }),
    ],
    [
      "cohorts by firmware, 30 days, network and label filter",
      () => listCohorts(db, { ...range(30 * 24), by: firmware, filter: { network: "lte", labels: { model: "M2" } } }),
    ],
    [
      "compare fw-3 against the rest, 7 days, region filter (with reasons)",
      () => compareCohortPair(db, { ...range(7 * 24), by: firmware, filter: { region: "us-east-1" }, a: "fw-3", b: null }),
    ],
    ["compare fw-3 against the rest, 24 h (with reasons)", () => compareCohortPair(db, { ...range(24), by: firmware, a: "fw-3", b: null })],
    [
      "compare fw-3 with fw-0, 30 days (with reasons)",
      () => compareCohortPair(db, { ...range(30 * 24), by: firmware, a: "fw-3", b: "fw-0" }),
    ],
    [
      `rollout view: versions + fw-9 (${(devices / 4).toLocaleString("en-US")} devices), 24 h each side`,
      async () => [await listFirmwareRollouts(db), await getFirmwareRollout(db, { firmware: "fw-9", spanHours: 24, filter: {}, now: end })],
    ],
    ["rollout: versions list alone", () => listFirmwareRollouts(db)],
    [
      "rollout fw-9 alone, 24 h each side, region filter",
      () => getFirmwareRollout(db, { firmware: "fw-9", spanHours: 24, filter: { region: "eu-west-1" }, now: end }),
    ],
    ["rollout fw-9, 168 h each side", () => getFirmwareRollout(db, { firmware: "fw-9", spanHours: 168, filter: {}, now: end })],
  ];
  // The per-device path the folded periods replaced (still what a rollout with a source / node filter or another span reads).
  const baseline: [string, () => Promise<unknown>][] = [
    [
      "per-device path: rollout fw-9, 24 h each side",
      () => readFirmwareRollout(db, { firmware: "fw-9", spanHours: 24, filter: {}, now: end }, "computed"),
    ],
  ];

  console.log(
    `\n| query (${devices.toLocaleString("en-US")} devices, ${DAYS} days) | runs | p50 ms | p95 ms | load average (1/5/15) after |\n|---|---:|---:|---:|---|`,
  );
  for (const [runs, list] of [
    [RUNS, cases],
    [BASELINE_RUNS, baseline],
  ] as const) {
    for (const [name, run] of list) {
      // The worker keeps the rollups fresh; a read must not find them stale and fold in the middle of the timing.
      await db.$executeRaw`UPDATE cohort_fold_state SET folded_at = now()`;
      const { p50, p95 } = await time(run, runs);
      console.log(`| ${name} | ${runs} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${load()} |`);
    }
  }
} finally {
  const keep = process.env.BENCH_COHORTS_KEEP;
  if (keep) {
    await db.$disconnect();
    const admin = new pg.Client({ connectionString: database.url.replace(/\/[^/]*$/, "/postgres") });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${new URL(database.url).pathname.slice(1)}" RENAME TO "${keep.replace(/[^a-z0-9_]/g, "")}"`);
    await admin.end();
    console.log(`kept as database ${keep}`);
  } else {
    await database.drop();
  }
}
