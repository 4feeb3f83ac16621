/**
 * Cost of previewing a rule (issue 17): loads 37 days of simulated fleet history into a fresh database on
 * TEST_DATABASE_URL's server, then times previewAlertRule (one rollup query, 30 days of 15 s ticks replayed in
 * memory) for each previewable kind, fixed and baseline, fleet-wide and scoped. Run: npm run bench:alert-preview
 */
import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { previewAlertRule } from "@/lib/alerts/preview-alert-rule.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const DAY = 86_400_000;
const RUNS = 3;

const RULES = [
  { kind: "connected_below", params: { threshold: 55 } },
  { kind: "connected_drop_percent", params: { threshold: 20 } },
  { kind: "disconnect_rate_above", params: { threshold: 2 } },
  { kind: "disconnect_rate_above", params: { mode: "baseline", multiplier: 3, threshold: 0.5 } },
  { kind: "code_rate_above", params: { code: "emqx:keepalive_timeout", threshold: 1 } },
  { kind: "code_rate_above", params: { code: "keepalive_timeout", mode: "baseline", multiplier: 3, threshold: 0.5 } },
];

const database = await createTestDatabase();
try {
  const to = new Date(Date.UTC(2026, 10, 22));
  const backfill = await backfillFleetHistory(database.db, { from: new Date(to.getTime() - 37 * DAY), to });
  const devices = await database.db.device.count();
  const source = (await database.db.device.findFirst({ select: { source: true } }))?.source ?? null;
  console.log(`backfill: ${backfill.inserted} events, ${devices} devices in ${(backfill.durationMs / 1000).toFixed(1)} s`);
  for (const scope of [{}, { source }]) {
    for (const rule of RULES) {
      const definition = CreateAlertRuleSchema.parse({
        name: "bench",
        windowMinutes: 5,
        forSeconds: 60,
        clearForSeconds: 60,
        ...rule,
        ...scope,
      });
      const timings: number[] = [];
      let summary = "";
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const preview = await previewAlertRule(database.db, definition, to);
        timings.push(performance.now() - started);
        if (preview.supported) summary = preview.periods.map((period) => `${period.days} d: ${period.fired} fired`).join(", ");
      }
      timings.sort((a, b) => a - b);
      const mode = "mode" in rule.params ? " baseline" : "";
      console.log(
        `${rule.kind}${mode} ${"source" in scope ? `source ${source}` : "fleet-wide"}: median ${timings[1]?.toFixed(0)} ms, max ${timings[2]?.toFixed(0)} ms (${summary})`,
      );
    }
  }
} finally {
  await database.drop();
}
