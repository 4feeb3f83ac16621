import type { Db } from "@/lib/db/client.ts";
import type { AlertExclusions } from "./alert-exclusions.ts";
import type { AlertRuleConfig } from "./alert-rule-config.ts";
import { stepHysteresis, type AlertPhase, type HysteresisState } from "./hysteresis.ts";
import { loadRuleSeries } from "./load-rule-series.ts";
import { measureRuleAt, type RuleMeasurement } from "./measure-alert-rule.ts";
import type { RuleSeries } from "./rule-series.ts";

/** The worker's default evaluation interval (ALERT_EVALUATION_INTERVAL_MS): a replay steps the rule as often. */
export const EVALUATION_TICK_MS = 15_000;

export type ReplayTransition = { kind: "fired" | "resolved"; at: Date; value: number; threshold: number };

export type RuleReplay = {
  transitions: ReplayTransition[];
  ticks: number;
  /** Baseline rules: the first tick that had a baseline (null: none had); before it the rule could not fire. */
  firstBaselineAt: Date | null;
  status: AlertPhase;
  last: RuleMeasurement | null;
};

/** Evaluation instants in [from, to]: every multiple of `tickMs` since the epoch. */
export function evaluationTicks(from: number, to: number, tickMs: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(from / tickMs) * tickMs; t <= to; t += tickMs) ticks.push(t);
  return ticks;
}

/** Steps the rule's hysteresis at every tick, starting from ok, exactly as the evaluator does at each of its runs. */
export function replayRule(series: RuleSeries, rule: AlertRuleConfig, ticks: number[]): RuleReplay {
  let state: HysteresisState | null = null;
  let last: RuleMeasurement | null = null;
  let firstBaselineAt: Date | null = null;
  const transitions: ReplayTransition[] = [];
  for (const t of ticks) {
    last = measureRuleAt(series, rule, t);
    if (firstBaselineAt === null && last.baseline?.usualPerMinute != null) firstBaselineAt = new Date(t);
    const step = stepHysteresis(state, last.value, new Date(t), { ...rule.hysteresis, threshold: last.threshold });
    state = step.state;
    if (step.transition) transitions.push({ kind: step.transition, at: new Date(t), value: last.value, threshold: last.threshold });
  }
  return { transitions, ticks: ticks.length, firstBaselineAt, status: state?.status ?? "ok", last };
}

/** Loads the rule's rollups for [from, to] in one query (without what the exclusions leave out) and replays every evaluation tick in memory. */
export async function replayAlertRule(
  db: Db,
  rule: AlertRuleConfig,
  span: { from: Date; to: Date; tickMs?: number },
  exclusions?: AlertExclusions,
): Promise<RuleReplay> {
  const ticks = evaluationTicks(span.from.getTime(), span.to.getTime(), span.tickMs ?? EVALUATION_TICK_MS);
  const first = ticks[0];
  const last = ticks.at(-1);
  if (first === undefined || last === undefined) return { transitions: [], ticks: 0, firstBaselineAt: null, status: "ok", last: null };
  const series = await loadRuleSeries(db, rule, { from: new Date(first), to: new Date(last) }, exclusions);
  return replayRule(series, rule, ticks);
}
