/**
 * Read path at scale (issues 13 and 17). Builds a history of N events over 100,000 devices and 90 days into a database
 * kept between phases, then times the device, fleet, search and cohort reads against it (p50 / p95) and records
 * storage per event. `build` takes the bulk path (bulk-scale-fleet.ts: the writer's fold replayed in memory, sessions
 * and rollups derived in SQL; proved equal to the writer by its integration test), `build-writer` the real writer.
 *
 *   npm run bench:scale -- build 1000000 linkscope_scale_1m            # create, migrate, bulk build (minutes)
 *   npm run bench:scale -- build-writer 1000000 linkscope_scale_1m [lanes=4]   # the same through recordIngestBatch (hours at 10M)
 *   npm run bench:scale -- measure linkscope_scale_1m           # migrate to head, fold cohorts, ANALYZE, time reads
 *   npm run bench:scale -- drop linkscope_scale_1m
 *
 * The server is TEST_DATABASE_URL's (default the local Postgres).
 */
import { loadavg } from "node:os";
import pg from "pg";
import { createDb } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { bulkWriteScaleFleet } from "@/lib/testing/bulk-scale-fleet.ts";
import { writeScaleFleet } from "@/lib/testing/scale-fleet.ts";
import { refreshConnectedSnapshots } from "@/lib/storage/connected-snapshots.ts";
import { ensureMonthPartitions, PARTITIONED_TABLES } from "@/lib/storage/time-partitions.ts";
import type { Db } from "@/lib/db/client.ts";
import { measureScaleReads } from "./bench-scale-reads.ts";

const SERVER_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
/** 100,000 devices; BENCH_SCALE_DEVICES overrides it for a quick trial of the script. */
const DEVICES = Number(process.env.BENCH_SCALE_DEVICES ?? 100_000);
const DAYS = 90;
/** The history ends here, so every run builds the same data. */
export const SCALE_END = new Date(Date.UTC(2026, 10, 22));

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * What a running deployment keeps on its own, done once after a build: month partitions for the history (the retention
 * pass moves rows out of the default partition), the gauge's hourly snapshots, and vacuumed, analysed tables
 * (autovacuum: visibility maps make the count and index-only scans the planner expects possible).
 */
async function settleScaleDatabase(db: Db): Promise<void> {
  for (const { table } of PARTITIONED_TABLES)
    await ensureMonthPartitions(db, table, SCALE_END, new Date(SCALE_END.getTime() - 400 * 86_400_000));
  await refreshConnectedSnapshots(db, SCALE_END);
  await db.$executeRaw`VACUUM ANALYZE`;
}

function requireName(name: string | undefined): string {
  if (!name || !/^linkscope_scale_[a-z0-9_]+$/.test(name)) {
    console.error("bench:scale: name the database linkscope_scale_<something>");
    process.exit(1);
  }
  return name;
}

const [phase, ...args] = process.argv.slice(2);
if (phase === "build" || phase === "build-writer") {
  const events = Number(args[0] ?? 1_000_000);
  const name = requireName(args[1]);
  const lanes = Number(args[2] ?? 4);
  if (!process.env.BENCH_SCALE_RESUME) await admin(`CREATE DATABASE "${name}"`);
  await applyMigrations(databaseUrl(name));
  const db = createDb(databaseUrl(name), lanes + 1);
  const started = performance.now();
  const options = { devices: DEVICES, days: DAYS, events, to: SCALE_END };
  const progress = (count: number, chunk: number) => {
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `chunk ${chunk}: ${count.toLocaleString("en-US")} events in ${seconds.toFixed(0)} s (${Math.round(count / seconds)} events/s), load ${loadavg()[0]?.toFixed(1)}`,
    );
  };
  const written =
    phase === "build" ? await bulkWriteScaleFleet(db, options, progress) : await writeScaleFleet(db, { ...options, lanes }, progress);
  await settleScaleDatabase(db);
  console.log(
    `built ${name}: ${written.toLocaleString("en-US")} events delivered in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  await db.$disconnect();
} else if (phase === "measure") {
  const name = requireName(args[0]);
  await applyMigrations(databaseUrl(name));
  const db = createDb(databaseUrl(name));
  try {
    await settleScaleDatabase(db);
    await measureScaleReads(db, { end: SCALE_END, label: name });
  } finally {
    await db.$disconnect();
  }
} else if (phase === "drop") {
  await admin(`DROP DATABASE IF EXISTS "${requireName(args[0])}" WITH (FORCE)`);
} else {
  console.error("usage: npm run bench:scale -- build <events> <db> | build-writer <events> <db> [lanes] | measure <db> | drop <db>");
  process.exit(1);
}
