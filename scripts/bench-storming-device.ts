/**
 * The device page's reads for a device in a storm (issue 13): one device with N events in the last 24 h (default
 * 20,000, the most the header counts and the diagnosis read), written through the real writer into a fresh database
 * beside a quiet fleet, then each read timed (p50 / p95). The scale benchmark's devices have a handful of events a day;
 * a storming device is the page's worst case, and the one users open.
 *
 *   npx tsx scripts/bench-storming-device.ts [events=20000] [samples=15] [database]
 *
 * With a database name, the storm is written into that database once and kept: later runs (of this branch, or of
 * main in a worktree of its own) measure the same rows side by side, without the minutes the writer takes.
 */
import { loadavg } from "node:os";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { createDatabase, testServerUrl, withDatabaseName } from "@/lib/testing/admin-database.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { createDb } from "@/lib/db/client.ts";
import { withPgClient } from "@/lib/db/pg-client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { FEEDS } from "@/lib/events/feeds.ts";

const count = Number(process.argv[2] ?? 20_000);
const samples = Number(process.argv[3] ?? 15);
const keptName = process.argv[4];
const end = new Date(Date.UTC(2026, 10, 22));
const DAY_MS = 86_400_000;
const deviceId = "storming-device";

/** A keepalive drop, a refused connect, a reconnect: over and over, spread evenly over the 24 h. */
function stormEvents(): ConnectionEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = (["disconnected", "connect_failed", "connected"] as const)[i % 3] ?? "connected";
    return makeConnectionEvent({
      deviceId,
      kind,
      occurredAt: new Date(end.getTime() - DAY_MS + Math.floor((i * (DAY_MS - 60_000)) / count)),
      dedupeKey: `storm-${i}`,
      reason: kind === "disconnected" ? "keepalive_timeout" : kind === "connect_failed" ? "not_authorized" : "connected",
      source: "aws-iot",
      feed: FEEDS.awsPresence,
    });
  });
}

async function time(name: string, run: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0).toFixed(1);
  console.log(`| ${name} | ${at(0.5)} | ${at(0.95)} |`);
}

/** The named database, migrated and written on its first run; or a fresh one dropped at the end. */
async function openDatabase(): Promise<{ database: Pick<TestDatabase, "db" | "drop">; written: boolean }> {
  if (!keptName) return { database: await createTestDatabase(), written: false };
  const serverUrl = testServerUrl();
  const exists = await withPgClient(
    serverUrl,
    async (client) => ((await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [keptName])).rowCount ?? 0) > 0,
  );
  if (!exists) {
    await createDatabase(serverUrl, keptName, {});
    await applyMigrations(withDatabaseName(serverUrl, keptName));
  }
  const db = createDb(withDatabaseName(serverUrl, keptName));
  return { database: { db, drop: () => db.$disconnect() }, written: exists };
}

const { database, written } = await openDatabase();
try {
  const { db } = database;
  if (!written) {
    const events = stormEvents();
    for (let i = 0; i < events.length; i += 500) await recordConnectionEvents(db, events.slice(i, i + 500));
    await db.$executeRaw`ANALYZE`;
  }
  const from = new Date(end.getTime() - DAY_MS);
  console.log(
    `storming device: ${count} events in 24 h; ${samples} samples; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  console.log("| read | p50 ms | p95 ms |\n|---|---:|---:|");
  await time("device header (getDevice)", () => getDevice(db, deviceId, end));
  await time("sessions, 24 h", () => listDeviceSessions(db, { deviceId, from, to: end }));
  await time("drop and refusal markers, 24 h", () =>
    listDeviceEvents(db, { deviceId, from, to: end, limit: 2_000, kinds: ["disconnected", "connect_failed"] }),
  );
  await time("events page, 24 h, 50 newest", () => listDeviceEvents(db, { deviceId, from, to: end, limit: 50 }));
  await time("diagnosis (loader + analyzers, 14 d)", () => getDeviceDiagnosis(db, { deviceId, now: end }));
  console.log(
    `\nload after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await database.drop();
}
