/**
 * Diagnosis latency on the simulated fleet: loads 14 days of history for the whole fleet into a fresh
 * database on TEST_DATABASE_URL's server, then times getDeviceDiagnosis (load + analyze) per device.
 * Run: npm run bench:diagnosis
 */
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const DAY = 86_400_000;
const RUNS = 5;
const DEVICES = [
  "meter-periodic-01",
  "gw-flaky-01",
  "cam-dup-id-01",
  "tracker-hung-01",
  "plug-tightloop-01",
  "valve-badauth-01",
  "sensor-001",
];

const database = await createTestDatabase();
try {
  const to = new Date(Date.UTC(2026, 10, 22));
  const backfill = await backfillFleetHistory(database.db, { from: new Date(to.getTime() - 14 * DAY), to });
  console.log(`backfill: ${backfill.inserted} events in ${(backfill.durationMs / 1000).toFixed(1)} s`);
  console.log("device               events  findings  verdict               median ms  max ms");
  for (const deviceId of DEVICES) {
    const timings: number[] = [];
    let result = await getDeviceDiagnosis(database.db, { deviceId, now: to });
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      result = await getDeviceDiagnosis(database.db, { deviceId, now: to });
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    const events = await database.db.connectionEvent.count({ where: { deviceId } });
    console.log(
      `${deviceId.padEnd(20)} ${String(events).padStart(6)}  ${String(result.findings.length).padStart(8)}  ${(result.verdict?.analyzer ?? "none").padEnd(20)}  ${timings[Math.floor(RUNS / 2)]?.toFixed(0).padStart(9)}  ${timings.at(-1)?.toFixed(0).padStart(6)}`,
    );
  }
} finally {
  await database.drop();
}
