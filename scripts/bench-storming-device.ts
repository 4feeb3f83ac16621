/**
 * The device page's reads for a device in a storm (issue 13): one device with N events in the last 24 h (default
 * 20,000, the most the header counts and the diagnosis read), written through the real writer into a fresh database
 * beside a quiet fleet, then each read timed (p50 / p95). The scale benchmark's devices have a handful of events a day;
 * a storming device is the page's worst case, and the one users open.
 *
 *   npx tsx scripts/bench-storming-device.ts [events=20000] [samples=15]
 */
import { loadavg } from "node:os";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { getDevice } from "@/lib/queries/get-device.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { listDeviceEvents } from "@/lib/queries/list-device-events.ts";
import { listDeviceSessions } from "@/lib/queries/list-device-sessions.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { FEEDS } from "@/lib/events/feeds.ts";

const count = Number(process.argv[2] ?? 20_000);
const samples = Number(process.argv[3] ?? 15);
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

const database = await createTestDatabase();
try {
  const { db } = database;
  const events = stormEvents();
  for (let i = 0; i < events.length; i += 500) await recordConnectionEvents(db, events.slice(i, i + 500));
  await db.$executeRaw`ANALYZE`;
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
