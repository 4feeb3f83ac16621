/**
 * Cost of one alert evaluation pass on the simulated fleet: loads 14 days of history into a fresh database on
 * TEST_DATABASE_URL's server, creates one rule of each kind (fleet-wide and scoped to a source), then times
 * evaluateAlertRules at several instants of the history. Run: npm run bench:alerts
 */
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { createAlertRule } from "@/lib/alerts/alert-rules.ts";
import { evaluateAlertRules } from "@/lib/alerts/evaluate-alert-rules.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const DAY = 86_400_000;
const RUNS = 40;

const RULES = [
  { kind: "connected_below", params: { threshold: 55 } },
  { kind: "connected_drop_percent", params: { threshold: 20 } },
  { kind: "disconnect_rate_above", params: { threshold: 2 } },
  { kind: "code_rate_above", params: { code: "emqx:keepalive_timeout", threshold: 1 } },
  { kind: "device_offline_longer", params: { threshold: 10 } },
];

const database = await createTestDatabase();
try {
  const to = new Date(Date.UTC(2026, 10, 22));
  const backfill = await backfillFleetHistory(database.db, { from: new Date(to.getTime() - 14 * DAY), to });
  const devices = await database.db.device.count();
  const source = (await database.db.device.findFirst({ select: { source: true } }))?.source ?? null;
  console.log(`backfill: ${backfill.inserted} events, ${devices} devices in ${(backfill.durationMs / 1000).toFixed(1)} s`);
  for (const rule of RULES) {
    await createAlertRule(
      database.db,
      CreateAlertRuleSchema.parse({ name: `${rule.kind} fleet`, forSeconds: 0, clearForSeconds: 0, ...rule }),
      { actor: CLI_ACTOR },
    );
    if (rule.kind !== "code_rate_above") {
      await createAlertRule(
        database.db,
        CreateAlertRuleSchema.parse({ name: `${rule.kind} ${source}`, forSeconds: 0, clearForSeconds: 0, source, ...rule }),
        { actor: CLI_ACTOR },
      );
    }
  }
  const rules = await database.db.alertRule.count();
  const timings: number[] = [];
  let fired = 0;
  let resolved = 0;
  for (let run = 0; run < RUNS; run += 1) {
    // Spread over the last 10 days, 15 s apart within each burst of 4, like a worker catching up.
    const now = new Date(to.getTime() - 10 * DAY + Math.floor(run / 4) * DAY + (run % 4) * 15_000);
    const started = performance.now();
    const result = await evaluateAlertRules(database.db, { now, publicBaseUrl: "http://127.0.0.1:3000" });
    timings.push(performance.now() - started);
    fired += result.fired;
    resolved += result.resolved;
  }
  timings.sort((a, b) => a - b);
  const pick = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]?.toFixed(0);
  console.log(
    `${rules} rules, ${RUNS} passes: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, max ${pick(1)} ms per pass; ${fired} fired, ${resolved} resolved`,
  );
} finally {
  await database.drop();
}
