/**
 * The connected gauge over a long history, before and after the retention pass: a year of per-minute deltas on
 * several broker nodes (a random walk whose sum matches fleet_connected_devices, as the writer keeps it), then
 * countConnectedDevicesAt and a 7-day connected series timed (median of 5 after a warm-up) with every delta summed,
 * after the hourly snapshots, and after minute rows older than 30 days are folded into hours. Fresh database on
 * TEST_DATABASE_URL's server, dropped at the end. Run: npm run bench:retention -- [days=365] [nodes=4]
 */
import { countConnectedDevicesAt } from "@/lib/fleet/connected-devices.ts";
import { listConnectedSeries } from "@/lib/fleet/list-connected-series.ts";
import { refreshConnectedSnapshots } from "@/lib/storage/connected-snapshots.ts";
import { downsampleMinuteRollups } from "@/lib/storage/downsample-minute-rollups.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

const DAY = 86_400_000;
const RUNS = 5;
const days = Number(process.argv[2] ?? 365);
const nodes = Number(process.argv[3] ?? 4);

const database = await createTestDatabase();
const db = database.db;
try {
  const now = new Date();
  const from = new Date(Math.floor((now.getTime() - days * DAY) / 60_000) * 60_000);
  // Deltas alternate +1 / −1 with a +1 every 97th minute, so each node ends with a known positive count.
  await db.$executeRaw`
    INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta)
    SELECT m, 'emqx', 'node-' || n, CASE WHEN i % 97 = 0 THEN 1 WHEN i % 2 = 0 THEN 1 ELSE -1 END
    FROM generate_series(1, ${nodes}::int) AS n,
         generate_series(${from}::timestamptz, ${now}::timestamptz - interval '1 minute', interval '1 minute') WITH ORDINALITY AS g(m, i)`;
  await db.$executeRaw`
    INSERT INTO devices (id) SELECT 'bench-' || n || '-' || k
    FROM (SELECT broker_node, SUM(delta) AS total, substr(broker_node, 6) AS n FROM fleet_connected_minute GROUP BY broker_node) s,
         generate_series(1, s.total::int) AS k`;
  await db.$executeRaw`
    INSERT INTO fleet_connected_devices (device_id, source, broker_node, since)
    SELECT id, 'emqx', 'node-' || split_part(id, '-', 2), now() FROM devices WHERE id LIKE 'bench-%'`;
  await db.$executeRaw`ANALYZE`;
  const rows = async () =>
    (
      await queryRows(db, "countDeltaRows", z.object({ n: z.number() }), Prisma.sql`SELECT COUNT(*)::int AS n FROM fleet_connected_minute`)
    )[0]?.n ?? 0;
  const deltaRows = await rows();
  console.log(`history: ${days} days × ${nodes} nodes, ${deltaRows} delta rows`);

  const week = { from: new Date(now.getTime() - 7 * DAY), to: now, stepMs: 3_600_000 };
  const monthAgo = new Date(now.getTime() - 31 * DAY);
  const time = async (run: () => Promise<unknown>): Promise<number> => {
    await run();
    const timings: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      await run();
      timings.push(performance.now() - t0);
    }
    return timings.sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? 0;
  };
  const measure = async () => [
    await time(() => countConnectedDevicesAt(db, now)),
    await time(() => countConnectedDevicesAt(db, monthAgo)),
    await time(() => listConnectedSeries(db, week)),
  ];
  const plain = await measure();
  const t0 = performance.now();
  const snapshots = await refreshConnectedSnapshots(db, now);
  const snapshotMs = performance.now() - t0;
  const withSnapshots = await measure();
  const t1 = performance.now();
  let folded = 0;
  for (;;) {
    const step = await downsampleMinuteRollups(db, new Date(now.getTime() - 30 * DAY));
    folded += step.foldedRows;
    if (step.until === null) break;
  }
  const foldMs = performance.now() - t1;
  await db.$executeRaw`ANALYZE`;
  const afterFold = await measure();
  const expected = (
    await queryRows(
      db,
      "countConnectedDevices",
      z.object({ n: z.number() }),
      Prisma.sql`SELECT COUNT(*)::int AS n FROM fleet_connected_devices`,
    )
  )[0]?.n;
  console.log(
    `snapshots: ${snapshots.written} written in ${snapshotMs.toFixed(0)} ms; folding: ${folded} rows in ${(foldMs / 1000).toFixed(1)} s, ${await rows()} delta rows left`,
  );
  console.log(`count now = ${await countConnectedDevicesAt(db, now)} (devices counted: ${expected})`);
  console.log(
    "\n| read (median ms) | every delta summed | latest snapshot + deltas | + minutes older than 30 days folded into hours |\n|---|---|---|---|",
  );
  const names = ["countConnectedDevicesAt(now)", "countConnectedDevicesAt(31 days ago)", "connected series, 7 days hourly"];
  for (const [i, name] of names.entries())
    console.log(`| ${name} | ${plain[i]?.toFixed(1)} | ${withSnapshots[i]?.toFixed(1)} | ${afterFold[i]?.toFixed(1)} |`);
} finally {
  await database.drop();
}
