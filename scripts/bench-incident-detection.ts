/**
 * Cost of one incident-detection run on the simulated fleet: loads 14 days of history into a fresh database on
 * TEST_DATABASE_URL's server, then times the mass-drop pass and the connected-dip pass at the end of it, cold
 * (no count history: the window is filled from past instants) and warm (one count per scope).
 * Run: npm run bench:incident-detection
 */
import { runConnectedDipDetection, type ConnectedHistory } from "@/lib/incidents/record-connected-dips.ts";
import { runIncidentDetection } from "@/lib/incidents/record-incidents.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const DAY = 86_400_000;
const RUNS = 9;
const THRESHOLDS = { minDevices: 5, minFleetFraction: 0.2, windowMs: 120_000, quietMs: 300_000 };
const DIP = { dipPercent: 20, minDevices: 5, windowMs: 600_000 };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const database = await createTestDatabase();
try {
  const to = new Date(Date.UTC(2026, 10, 22));
  const backfill = await backfillFleetHistory(database.db, { from: new Date(to.getTime() - 14 * DAY), to });
  console.log(`backfill: ${backfill.inserted} events in ${(backfill.durationMs / 1000).toFixed(1)} s`);
  const drops: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    // Runs 30 s apart, as the worker does; the first dip run of each pass has no history.
    const now = new Date(to.getTime() + run * 30_000);
    let started = performance.now();
    await runIncidentDetection(database.db, { from: new Date(now.getTime() - 30 * 60_000), to: now, now, thresholds: THRESHOLDS });
    drops.push(performance.now() - started);
    started = performance.now();
    await runConnectedDipDetection(database.db, { now, thresholds: DIP, history: new Map() });
    cold.push(performance.now() - started);
  }
  const history: ConnectedHistory = new Map();
  for (let run = 0; run <= RUNS; run += 1) {
    const now = new Date(to.getTime() + run * 30_000);
    const started = performance.now();
    await runConnectedDipDetection(database.db, { now, thresholds: DIP, history });
    if (run > 0) warm.push(performance.now() - started);
  }
  console.log(`scopes watched: ${history.size}`);
  console.log(`mass-drop pass (30 min lookback): median ${median(drops).toFixed(1)} ms`);
  console.log(`dip pass, cold (4 counts per scope): median ${median(cold).toFixed(1)} ms`);
  console.log(`dip pass, warm (1 count per scope): median ${median(warm).toFixed(1)} ms`);
} finally {
  await database.drop();
}
