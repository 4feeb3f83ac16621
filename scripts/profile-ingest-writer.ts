/**
 * Where recordIngestBatch spends its time (issue 13): the storm of scripts/bench-ingest.ts written in batches of 500
 * into a fresh database, with every statement the writer sends timed by what it writes, and Node's own CPU per event.
 * Run: npx tsx scripts/profile-ingest-writer.ts [devices=10000] [batch=500] [path=writer|webhook]
 * (webhook: the same storm as AWS IoT records through ingestWebhookBody, `batch` records per body).
 * What an index costs the writer: PROFILE_WITHOUT_INDEXES=devices_state_idx,… drops those indexes in the fresh
 * database first (a measurement only; the indexes serve the read path).
 * Plans late in the run: PROFILE_EXPLAIN_BATCH=<n> prints EXPLAIN (ANALYZE, BUFFERS) of every statement of the n-th batch
 * (each run once inside a savepoint that is rolled back, then for real).
 * A schema variant side by side with main's: PROFILE_SQL_FILE=<file> runs the file's statements in the fresh database
 * first (e.g. a constraint put back or a function replaced; a measurement only).
 * PROFILE_DEVICE_METADATA=1 creates the storm's devices first with firmware, region, network and a label, so rollups
 * keyed by metadata (fleet_reason_hour, decision 044) do their full work.
 */
import pg from "pg";
import { ingestWebhookBody } from "@/lib/ingest/ingest-webhook.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import os from "node:os";
import { readFileSync } from "node:fs";
import { measureCpuPerEvent } from "@/lib/testing/backend-cpu.ts";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

const devices = Number(process.argv[2] ?? 10_000);
const batchSize = Number(process.argv[3] ?? 500);

const path = process.argv[4] ?? "writer";
const records = generateReconnectStorm({ devices, deviceIdPrefix: "storm-", startMs: Date.UTC(2026, 11, 1, 12, 0, 0), spreadMs: 60_000 });
const events = records.flatMap((r) => {
  const parsed = parseAwsRecord(r);
  if (!parsed.ok) throw new Error(`storm record did not parse: ${parsed.error}`);
  return parsed.events;
});
const format = getRecordFormat("aws-iot");
if (!format) throw new Error("aws-iot format missing");
const bodies: Buffer[] = [];
for (let i = 0; i < records.length; i += batchSize) bodies.push(Buffer.from(JSON.stringify(records.slice(i, i + batchSize))));

const spent = new Map<string, { ms: number; calls: number }>();
const explainBatch = Number(process.env.PROFILE_EXPLAIN_BATCH ?? -1);
let explaining = false;
const originalQuery = pg.Client.prototype.query;
// Every statement of the writer goes through a pooled pg.Client; time it until its result arrives.
pg.Client.prototype.query = function timedQuery(this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === "string" ? first : typeof first === "object" && first !== null && "text" in first ? String(first.text) : "";
  if (explaining && /^\s*(WITH|INSERT|UPDATE|DELETE|SELECT)/.test(text)) return explainThenRun(this, text, args);
  const started = performance.now();
  const result = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) {
    void result.then(
      () => record(text, performance.now() - started),
      () => record(text, performance.now() - started),
    );
  }
  return result;
} as typeof pg.Client.prototype.query;

async function explainThenRun(client: pg.Client, text: string, args: unknown[]): Promise<unknown> {
  const run = originalQuery as (...a: unknown[]) => Promise<{ rows: Record<string, string>[] }>;
  await run.call(client, "SAVEPOINT profile_explain");
  const plan = await run.call(client, `EXPLAIN (ANALYZE, BUFFERS) ${text}`, args[1]);
  await run.call(client, "ROLLBACK TO SAVEPOINT profile_explain");
  console.log(`\n--- ${describe(text.replace(/\s+/g, " ").trim())}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  return run.apply(client, args);
}

async function readWalCounters(db: Db): Promise<{ records: number; fpi: number; bytes: number }> {
  const [row] = await queryRows(
    db,
    "walCounters",
    z.object({ records: z.coerce.number(), fpi: z.coerce.number(), bytes: z.coerce.number() }),
    Prisma.sql`SELECT wal_records AS records, wal_fpi AS fpi, wal_bytes AS bytes FROM pg_stat_wal`,
  );
  if (!row) throw new Error("pg_stat_wal has no row");
  return row;
}

function record(text: string, ms: number): void {
  const what = describe(text.replace(/\s+/g, " ").trim());
  const entry = spent.get(what) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  spent.set(what, entry);
}

function describe(statement: string): string {
  if (statement.startsWith("WITH s0 AS")) return "combined: sessions + device state + gauge + rollups";
  if (statement.startsWith("WITH new_devices")) return "devices + events insert";
  if (statement.startsWith("INSERT INTO devices")) return "new devices, committed ahead (decision 050)";
  return (
    /^(BEGIN|COMMIT|ROLLBACK)|(INSERT INTO|UPDATE|DELETE FROM|SELECT .*? FROM|COPY) \S+/.exec(statement)?.[0] ?? statement.slice(0, 60)
  );
}

const database = await createTestDatabase();
try {
  for (const index of (process.env.PROFILE_WITHOUT_INDEXES ?? "").split(",").filter(Boolean))
    await database.db.$executeRawUnsafe(`DROP INDEX "${index.replaceAll('"', "")}"`);
  if (process.env.PROFILE_SQL_FILE) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(readFileSync(process.env.PROFILE_SQL_FILE, "utf8"));
    await client.end();
  }
  if (process.env.PROFILE_DEVICE_METADATA === "1") {
    const ids = [...new Set(events.map((event) => event.deviceId))];
    await database.db.$executeRaw`
      INSERT INTO devices (id, firmware, region, network, labels)
      SELECT id, 'fw-' || (hashtext(id) & 7), 'region-' || (hashtext(id || 'r') & 3), 'net-' || (hashtext(id || 'n') % 3),
             jsonb_build_object('model', 'm-' || (hashtext(id || 'm') & 3))
      FROM unnest(${ids}::text[]) AS id`;
  }
  console.log(
    `${path}: ${events.length} events, batches of ${batchSize}; load ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
  spent.clear();
  const walBefore = await readWalCounters(database.db);
  const started = performance.now();
  const cpu = await measureCpuPerEvent(database.db, events.length, async () => {
    if (path === "webhook") for (const body of bodies) await ingestWebhookBody(database.db, format, body);
    else
      for (let i = 0; i < events.length; i += batchSize) {
        explaining = i / batchSize === explainBatch;
        await recordIngestBatch(database.db, { events: events.slice(i, i + batchSize) });
        explaining = false;
      }
  });
  const wallMs = performance.now() - started;
  console.log(
    `wall ${Math.round(wallMs)} ms = ${Math.round(events.length / (wallMs / 1000))} ev/s; CPU per event: Node ${cpu.nodeUs} µs, ` +
      `Postgres backends ${cpu.postgresUs} µs`,
  );
  const walAfter = await readWalCounters(database.db);
  // pg_stat_wal is the server's: anything else writing at the same time is counted too.
  console.log(
    `WAL per event (whole server): ${Math.round((walAfter.bytes - walBefore.bytes) / events.length)} bytes, ` +
      `${((walAfter.records - walBefore.records) / events.length).toFixed(1)} records, ` +
      `${((walAfter.fpi - walBefore.fpi) / events.length).toFixed(2)} full-page images`,
  );
  console.log("| statement | calls | total ms | share of wall |\n|---|---|---|---|");
  for (const [what, { ms, calls }] of [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`| ${what} | ${calls} | ${Math.round(ms)} | ${Math.round((ms / wallMs) * 100)} % |`);
  console.log(
    `load ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await database.drop();
}
