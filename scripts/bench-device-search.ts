/**
 * Device list search latency on synthetic fleets: fills a fresh database with N devices, then times the first
 * page of the list as the /devices page asks for it while typing (100 rows + the total count) for prefix and
 * substring queries, and prints the plans to show which index each query uses.
 *
 * Run: npm run bench:device-search                   (Postgres 15 at TEST_DATABASE_URL: 100k and 1M; PGlite: 100k)
 *      npm run bench:device-search -- --sizes 100000 --no-pglite
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, Prisma, type Db } from "@/lib/db/client.ts";
import { startEmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { DEFAULT_DEVICE_LIST_FILTER, type DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import { buildDeviceListOrder, buildDeviceListWhere } from "@/lib/queries/device-list-sql.ts";
import { searchDevices } from "@/lib/queries/search-devices.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const RUNS = 30;
const PAGE_SIZE = 100;

const args = process.argv.slice(2);
const sizesArg = args[args.indexOf("--sizes") + 1];
const SIZES = args.includes("--sizes") && sizesArg ? sizesArg.split(",").map(Number) : [100_000, 1_000_000];
const PGLITE_SIZE = 100_000;

// IDs like "meter-us-0012345": six kinds x three regions x a 7-digit serial.
const CASES: { label: string; filter: Partial<DeviceListFilter> }[] = [
  { label: "no search (ID order)", filter: {} },
  { label: "prefix, selective    meter-us-00012", filter: { query: "meter-us-00012", match: "prefix" } },
  { label: "prefix, upper case   METER-US-0001", filter: { query: "METER-US-0001", match: "prefix" } },
  { label: "prefix, broad        gateway-", filter: { query: "gateway-", match: "prefix" } },
  { label: "substring, selective 02345", filter: { query: "02345" } },
  { label: "substring, medium    -ap-0001", filter: { query: "-ap-0001" } },
  { label: "substring, broad     way-eu", filter: { query: "way-eu" } },
  { label: "substring, 2 chars   9z", filter: { query: "9z" } },
  { label: "substring + offline  us-0004", filter: { query: "us-0004", state: "offline" } },
];

async function seedDevices(db: Db, count: number): Promise<void> {
  const batch = 100_000;
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch) - 1;
    await db.$executeRaw`
      INSERT INTO devices (id, state, state_occurred_at, last_reason, source, region, disconnect_count)
      SELECT (ARRAY['sensor', 'meter', 'gateway', 'valve', 'pump', 'camera'])[i % 6 + 1] || '-' ||
             (ARRAY['eu', 'us', 'ap'])[(i / 6) % 3 + 1] || '-' || lpad((i / 18)::text, 7, '0'),
             (ARRAY['online', 'offline', 'unknown']::"DeviceState"[])[i % 3 + 1],
             now() - make_interval(secs => i),
             (ARRAY['keepalive_timeout', 'connection_lost', 'client_disconnect']::"Reason"[])[i % 3 + 1],
             'emqx', (ARRAY['eu-west', 'us-east', 'ap-south'])[(i / 6) % 3 + 1], i % 23
      FROM generate_series(${start}::int, ${end}::int) AS i`;
  }
  await db.$executeRaw`ANALYZE devices`;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

async function explainIndexes(db: Db, filter: DeviceListFilter): Promise<string> {
  const { orderBy } = buildDeviceListOrder(filter, undefined);
  const rows = await queryRows(
    db,
    "explainDeviceList",
    z.object({ "QUERY PLAN": z.string() }),
    Prisma.sql`
    EXPLAIN SELECT id FROM devices WHERE ${buildDeviceListWhere(filter)} ORDER BY ${orderBy} LIMIT ${PAGE_SIZE + 1}`,
  );
  const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
  const used = [...new Set(plan.match(/devices_(?:[a-z_]+_)?(?:idx|pkey)/g) ?? [])];
  return used.length > 0 ? used.join(" + ") : plan.includes("Seq Scan") ? "seq scan" : "other";
}

async function benchmark(engine: string, db: Db, size: number): Promise<void> {
  console.log(`\n${engine}, ${size.toLocaleString("en-US")} devices: first page (${PAGE_SIZE} rows + total), ${RUNS} runs each`);
  console.log(`${"query".padEnd(38)} ${"matches".padStart(9)}  ${"p50 ms".padStart(7)}  ${"p95 ms".padStart(7)}  index`);
  for (const { label, filter: partial } of CASES) {
    const filter = { ...DEFAULT_DEVICE_LIST_FILTER, ...partial };
    const first = await searchDevices(db, { ...filter, limit: PAGE_SIZE, includeTotal: true });
    const timings: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      await searchDevices(db, { ...filter, limit: PAGE_SIZE, includeTotal: true });
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    const index = await explainIndexes(db, filter);
    console.log(
      `${label.padEnd(38)} ${String(first.total ?? 0).padStart(9)}  ${percentile(timings, 50).toFixed(1).padStart(7)}  ${percentile(timings, 95).toFixed(1).padStart(7)}  ${index}`,
    );
  }
}

for (const size of SIZES) {
  const database = await createTestDatabase();
  try {
    const started = performance.now();
    await seedDevices(database.db, size);
    console.log(`\n(Postgres: seeded ${size.toLocaleString("en-US")} devices in ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    const version = await queryRows(
      database.db,
      "postgresVersion",
      z.object({ version: z.string() }),
      Prisma.sql`SELECT split_part(version(), ' ', 2) AS version`,
    );
    await benchmark(`Postgres ${version[0]?.version ?? "?"}`, database.db, size);
  } finally {
    await database.drop();
  }
}

if (!args.includes("--no-pglite")) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "linkscope-bench-pglite-"));
  const embedded = await startEmbeddedPostgres({ dataDir });
  const db = createDb(embedded.url, 1);
  try {
    await applyMigrations(embedded.url);
    const started = performance.now();
    await seedDevices(db, PGLITE_SIZE);
    console.log(
      `\n(PGlite: seeded ${PGLITE_SIZE.toLocaleString("en-US")} devices in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    await benchmark("PGlite 0.5.14 (embedded)", db, PGLITE_SIZE);
  } finally {
    await db.$disconnect();
    await embedded.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
