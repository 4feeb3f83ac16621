import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { scriptNodeHistory } from "@/lib/testing/emqx-lifecycle.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { loadPreviewQuietContext, resolveAlertExclusions } from "./alert-exclusions.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import { CreateAlertRuleSchema } from "./alert-rule-schemas.ts";
import { createAlertRule } from "./alert-rules.ts";
import { DAY_MS } from "./baseline-rate.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";
import { measureFleetValue } from "./measure-alert-rule.ts";
import { previewAlertRule } from "./preview-alert-rule.ts";
import { EVALUATION_TICK_MS, evaluationTicks, replayAlertRule } from "./replay-alert-rule.ts";

const testDb = useTestDatabase();
afterEach(async () => {
  // Each test's rules stop being evaluated by the next test's runs.
  await testDb.db.alertRule.updateMany({ data: { enabled: false } });
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BY = { actor: CLI_ACTOR };

/** Writes the history through the real ingest writer, a few hundred events per batch, in time order. */
async function writeHistory(events: ConnectionEvent[]) {
  for (let i = 0; i < events.length; i += 300) await recordIngestBatch(testDb.db, { events: events.slice(i, i + 300) });
}

async function createRule(body: Record<string, unknown>) {
  const view = await createAlertRule(testDb.db, CreateAlertRuleSchema.parse({ forSeconds: 0, clearForSeconds: 0, ...body }), BY);
  const config = toAlertRuleConfig(await testDb.db.alertRule.findUniqueOrThrow({ where: { id: view.id } }));
  if (!config) throw new Error("invalid rule");
  return config;
}

/** The evaluator, run at every evaluation tick of [from, to] after the whole history was written. */
async function runEvaluatorAcross(from: number, to: number) {
  for (const t of evaluationTicks(from, to, EVALUATION_TICK_MS))
    await evaluateAlertRules(testDb.db, { now: new Date(t), publicBaseUrl: "https://linkscope.example.com" });
}

async function evaluatorTransitions(ruleId: string) {
  const rows = await testDb.db.alertHistory.findMany({ where: { ruleId }, orderBy: { id: "asc" } });
  return rows.map((row) => ({ kind: row.kind, at: row.occurredAt.toISOString(), value: row.value, threshold: row.threshold }));
}

async function replayedTransitions(rule: Parameters<typeof replayAlertRule>[1], from: number, to: number) {
  const replay = await replayAlertRule(testDb.db, rule, { from: new Date(from), to: new Date(to) });
  return replay.transitions.map((transition) => ({
    kind: transition.kind,
    at: transition.at.toISOString(),
    value: transition.value,
    threshold: transition.threshold,
  }));
}

describe("alert rule preview against the evaluator over the same history", () => {
  it("fires and resolves at the same ticks with the same values for fixed rules of every fleet kind", { timeout: 400_000 }, async () => {
    const t0 = Date.UTC(2026, 9, 10, 10, 0);
    const history = scriptNodeHistory(12, "preview-fixed");
    history.connect(history.ids, t0 - 10 * MINUTE);
    for (let m = 2; m <= 4; m++) for (const s of [0, 15, 30]) history.bounce(t0 + m * MINUTE + s * 1_000);
    const down = history.ids.slice(6);
    history.drop(down, t0 + 9 * MINUTE + 10_000);
    history.connect(down, t0 + 14 * MINUTE);
    for (let m = 16; m <= 19; m++) for (const s of [5, 35]) history.bounce(t0 + m * MINUTE + s * 1_000, "tcp_closed");
    await writeHistory(history.inTimeOrder());

    const scope = { brokerNode: history.node };
    const rules = [
      await createRule({
        name: "drops",
        kind: "disconnect_rate_above",
        params: { threshold: 1.5 },
        windowMinutes: 3,
        forSeconds: 30,
        clearMargin: 0.5,
        clearForSeconds: 60,
        ...scope,
      }),
      await createRule({
        name: "keepalive",
        kind: "code_rate_above",
        params: { code: "emqx:keepalive_timeout", threshold: 1 },
        windowMinutes: 2,
        clearForSeconds: 30,
        ...scope,
      }),
      await createRule({
        name: "below 9",
        kind: "connected_below",
        params: { threshold: 9 },
        forSeconds: 60,
        clearMargin: 1,
        clearForSeconds: 60,
        ...scope,
      }),
      await createRule({
        name: "drop 30 %",
        kind: "connected_drop_percent",
        params: { threshold: 30 },
        windowMinutes: 5,
        clearMargin: 5,
        clearForSeconds: 30,
        ...scope,
      }),
    ];
    const from = t0;
    const to = t0 + 26 * MINUTE;
    await runEvaluatorAcross(from, to);

    for (const rule of rules) {
      const evaluated = await evaluatorTransitions(rule.id);
      expect(evaluated.map((transition) => transition.kind).slice(0, 2), rule.name).toEqual(["fired", "resolved"]);
      expect(await replayedTransitions(rule, from, to), rule.name).toEqual(evaluated);
    }
    expect((await evaluatorTransitions(rules[0]?.id ?? "")).filter((transition) => transition.kind === "fired")).toHaveLength(3);

    // The preview (last 30 days up to the end of the history) counts and lists the same firings for the rate rules,
    // which cannot breach before the history starts.
    const definition = CreateAlertRuleSchema.parse({
      name: "drops",
      kind: "disconnect_rate_above",
      params: { threshold: 1.5 },
      windowMinutes: 3,
      forSeconds: 30,
      clearMargin: 0.5,
      clearForSeconds: 60,
      ...scope,
    });
    const preview = await previewAlertRule(testDb.db, definition, new Date(to));
    const evaluated = await evaluatorTransitions(rules[0]?.id ?? "");
    const fired = evaluated.filter((transition) => transition.kind === "fired");
    const resolved = evaluated.filter((transition) => transition.kind === "resolved");
    expect(preview).toMatchObject({
      supported: true,
      periods: [
        { days: 7, fired: fired.length, resolved: resolved.length },
        { days: 30, fired: fired.length, resolved: resolved.length },
      ],
    });
    if (!preview.supported) throw new Error("expected a preview");
    expect(preview.episodes.map((episode) => [episode.firedAt.toISOString(), episode.resolvedAt?.toISOString() ?? null]).reverse()).toEqual(
      fired.map((transition, i) => [transition.at, resolved[i]?.at ?? null]),
    );
  });

  it(
    "replays a baseline rule (K × the usual rate at this hour, with a floor) exactly as the evaluator fires it",
    { timeout: 400_000 },
    async () => {
      const today = Date.UTC(2026, 9, 20, 10, 0);
      const history = scriptNodeHistory(10, "preview-baseline");
      history.connect(history.ids, today - 8 * DAY_MS - HOUR);
      // The usual: one drop every 2 minutes between 10:00 and 11:00 UTC on each of the previous 7 days (0.5 / min).
      for (let day = 1; day <= 7; day++) for (let m = 0; m < 60; m += 2) history.bounce(today - day * DAY_MS + m * MINUTE);
      // Today the same, except 3 drops a minute from 10:20 to 10:26.
      for (let m = 0; m < 60; m += m >= 20 && m < 26 ? 1 : 2) {
        const perMinute = m >= 20 && m < 26 ? 3 : 1;
        for (let i = 0; i < perMinute; i++) history.bounce(today + m * MINUTE + i * 15_000);
      }
      await writeHistory(history.inTimeOrder());

      const scope = { brokerNode: history.node, windowMinutes: 5 };
      const drops = await createRule({
        name: "3 × usual",
        kind: "disconnect_rate_above",
        params: { mode: "baseline", multiplier: 3, threshold: 1 },
        forSeconds: 30,
        clearForSeconds: 60,
        ...scope,
      });
      const keepalive = await createRule({
        name: "2 × usual keepalive",
        kind: "code_rate_above",
        params: { mode: "baseline", multiplier: 2, code: "keepalive_timeout", threshold: 0.5 },
        ...scope,
      });
      const floored = await createRule({
        name: "3 × usual, floor 5",
        kind: "disconnect_rate_above",
        params: { mode: "baseline", multiplier: 3, threshold: 5 },
        ...scope,
      });
      // The evaluator from 10:15 to 10:40 (before, nothing exceeds 3 × the usual; after, the burst has resolved).
      const from = today + 15 * MINUTE;
      const to = today + 40 * MINUTE;
      await runEvaluatorAcross(from, to);

      const evaluated = await evaluatorTransitions(drops.id);
      expect(evaluated.map((transition) => [transition.kind, transition.threshold])).toEqual([
        ["fired", 1.5],
        ["resolved", 1.5],
      ]);
      expect(await replayedTransitions(drops, from, to)).toEqual(evaluated);
      const keepaliveEvaluated = await evaluatorTransitions(keepalive.id);
      expect(keepaliveEvaluated.map((transition) => [transition.kind, transition.threshold])).toEqual([
        ["fired", 1],
        ["resolved", 1],
      ]);
      expect(await replayedTransitions(keepalive, from, to)).toEqual(keepaliveEvaluated);
      // 3 drops a minute is 6 × the usual, but below the floor of 5 a minute: nothing pages.
      expect(await evaluatorTransitions(floored.id)).toEqual([]);
      expect(await replayedTransitions(floored, from, to)).toEqual([]);

      // Over 30 days the previous days' churn never exceeded K × its baseline: the preview finds only today's burst.
      const preview = await previewAlertRule(
        testDb.db,
        CreateAlertRuleSchema.parse({
          name: "p",
          kind: "disconnect_rate_above",
          params: { mode: "baseline", multiplier: 3, threshold: 1 },
          forSeconds: 30,
          clearForSeconds: 60,
          ...scope,
        }),
        new Date(to),
      );
      expect(preview).toMatchObject({
        supported: true,
        periods: [
          { days: 7, fired: 1, resolved: 1 },
          { days: 30, fired: 1, resolved: 1 },
        ],
        baseline: { usualPerMinute: 0.5, days: 7, threshold: 1.5 },
      });
      if (!preview.supported) throw new Error("expected a preview");
      expect(preview.episodes.map((episode) => [episode.firedAt.toISOString(), episode.resolvedAt?.toISOString()])).toEqual([
        [evaluated[0]?.at, evaluated[1]?.at],
      ]);
    },
  );

  it("does not fire a baseline rule for a fleet without history at this hour, and says so", async () => {
    const now = Date.UTC(2026, 9, 25, 12, 10);
    const history = scriptNodeHistory(10, "preview-new");
    history.connect(history.ids, now - 40 * MINUTE);
    for (let i = 0; i < 20; i++) history.bounce(now - 5 * MINUTE + i * 10_000);
    await writeHistory(history.inTimeOrder());
    const body = {
      name: "new fleet",
      kind: "disconnect_rate_above",
      params: { mode: "baseline", multiplier: 3, threshold: 1 },
      brokerNode: history.node,
      windowMinutes: 5,
    };
    const rule = await createRule(body);

    expect(await measureFleetValue(testDb.db, rule, new Date(now))).toEqual({
      value: 4,
      threshold: Infinity,
      baseline: { usualPerMinute: null, days: 0 },
    });
    await runEvaluatorAcross(now - 5 * MINUTE, now + 2 * MINUTE);
    expect(await evaluatorTransitions(rule.id)).toEqual([]);
    const preview = await previewAlertRule(testDb.db, CreateAlertRuleSchema.parse(body), new Date(now));
    expect(preview).toMatchObject({
      supported: true,
      periods: [
        { days: 7, fired: 0 },
        { days: 30, fired: 0 },
      ],
      baseline: { usualPerMinute: null, days: 0, threshold: null, firstAt: null },
    });
    // The same fleet as a fixed rule fires on that burst.
    const fixed = await previewAlertRule(testDb.db, CreateAlertRuleSchema.parse({ ...body, params: { threshold: 1 } }), new Date(now));
    expect(fixed).toMatchObject({
      supported: true,
      periods: [
        { days: 7, fired: 1 },
        { days: 30, fired: 1 },
      ],
      baseline: null,
    });
  });

  it(
    "leaves the rule's excluded devices and maintenance minutes out of the evaluator and the preview alike",
    { timeout: 400_000 },
    async () => {
      const t0 = Date.UTC(2026, 9, 28, 10, 0);
      const history = scriptNodeHistory(10, "preview-quiet");
      const [flapper = "", ...others] = history.ids;
      history.connect(history.ids, t0 - 10 * MINUTE);
      // The excluded flapper: 3 drops a minute from 10:02 to 10:06.
      for (let m = 2; m < 6; m++) {
        for (const s of [0, 20, 40]) {
          history.drop([flapper], t0 + m * MINUTE + s * 1_000);
          history.connect([flapper], t0 + m * MINUTE + (s + 10) * 1_000);
        }
      }
      // A nightly restart inside the maintenance window 10:10–10:14, then a real burst at 10:18–10:21.
      const burst = (fromMinute: number, toMinute: number) => {
        for (let m = fromMinute; m < toMinute; m++)
          for (const [i, s] of [0, 20, 40].entries()) history.drop([others[(m + i) % others.length] ?? ""], t0 + m * MINUTE + s * 1_000);
        for (let m = fromMinute; m < toMinute; m++)
          for (const [i, s] of [0, 20, 40].entries())
            history.connect([others[(m + i) % others.length] ?? ""], t0 + m * MINUTE + (s + 10) * 1_000);
      };
      burst(10, 14);
      burst(18, 21);
      await writeHistory(history.inTimeOrder());
      await testDb.db.maintenanceWindow.create({
        data: {
          name: "restart",
          recurrence: "once",
          startsAt: new Date(t0 + 10 * MINUTE),
          durationMs: 4 * MINUTE,
          brokerNode: history.node,
          createdBy: "test",
        },
      });

      const body = {
        name: "drops",
        kind: "disconnect_rate_above",
        params: { threshold: 1.5 },
        windowMinutes: 2,
        brokerNode: history.node,
        excludeDeviceIds: [flapper],
      };
      const rule = await createRule(body);
      const from = t0;
      const to = t0 + 26 * MINUTE;
      await runEvaluatorAcross(from, to);
      const evaluated = await evaluatorTransitions(rule.id);
      expect(evaluated.map((transition) => transition.kind)).toEqual(["fired", "resolved"]);
      expect(Date.parse(evaluated[0]?.at ?? "")).toBeGreaterThanOrEqual(t0 + 18 * MINUTE);

      const exclusions = await resolveAlertExclusions(
        testDb.db,
        await loadPreviewQuietContext(testDb.db, new Date(from), new Date(to)),
        rule,
        new Date(from),
      );
      const replay = await replayAlertRule(testDb.db, rule, { from: new Date(from), to: new Date(to) }, exclusions);
      expect(
        replay.transitions.map((transition) => ({
          kind: transition.kind,
          at: transition.at.toISOString(),
          value: transition.value,
          threshold: transition.threshold,
        })),
      ).toEqual(evaluated);
      // Unfiltered, the flapper and the restart would each have fired too.
      expect((await replayedTransitions(rule, from, to)).filter((transition) => transition.kind === "fired")).toHaveLength(3);
      const preview = await previewAlertRule(testDb.db, CreateAlertRuleSchema.parse(body), new Date(to));
      expect(preview).toMatchObject({
        supported: true,
        periods: [
          { days: 7, fired: 1, resolved: 1 },
          { days: 30, fired: 1, resolved: 1 },
        ],
      });

      // Connected kinds take the excluded device off the gauge.
      const connected = await createRule({
        name: "connected",
        kind: "connected_below",
        params: { threshold: 5 },
        brokerNode: history.node,
        excludeDeviceIds: [flapper],
      });
      const connectedExclusions = await resolveAlertExclusions(
        testDb.db,
        await loadPreviewQuietContext(testDb.db, new Date(from), new Date(to)),
        connected,
      );
      expect((await measureFleetValue(testDb.db, connected, new Date(t0 + MINUTE), connectedExclusions)).value).toBe(9);
      expect((await measureFleetValue(testDb.db, connected, new Date(t0 + MINUTE))).value).toBe(10);
    },
  );

  it("computes a baseline rule's usual rate without its excluded devices, as the current rate is", { timeout: 400_000 }, async () => {
    const today = Date.UTC(2026, 10, 5, 10, 0);
    const history = scriptNodeHistory(6, "preview-quiet-baseline");
    const [flapper = "", ...others] = history.ids;
    history.connect(history.ids, today - 8 * DAY_MS - HOUR);
    // Every previous day 10:00–11:00: the flapper drops twice a minute, the others once every 2 minutes (0.5 / min).
    for (let day = 1; day <= 7; day++) {
      for (let m = 0; m < 60; m++) {
        for (const s of [0, 30]) {
          history.drop([flapper], today - day * DAY_MS + m * MINUTE + s * 1_000);
          history.connect([flapper], today - day * DAY_MS + m * MINUTE + (s + 10) * 1_000);
        }
        const other = others[(m / 2) % others.length] ?? "";
        if (m % 2 === 0) {
          history.drop([other], today - day * DAY_MS + m * MINUTE + 40_000);
          history.connect([other], today - day * DAY_MS + m * MINUTE + 45_000);
        }
      }
    }
    // Today the others drop 3 times a minute from 10:20.
    for (let m = 20; m < 26; m++) {
      for (const [i, s] of [0, 20, 40].entries()) {
        history.drop([others[i] ?? ""], today + m * MINUTE + s * 1_000);
        history.connect([others[i] ?? ""], today + m * MINUTE + (s + 10) * 1_000);
      }
    }
    await writeHistory(history.inTimeOrder());

    const rule = await createRule({
      name: "3 × usual",
      kind: "disconnect_rate_above",
      params: { mode: "baseline", multiplier: 3, threshold: 1 },
      windowMinutes: 5,
      brokerNode: history.node,
      excludeDeviceIds: [flapper],
    });
    const now = new Date(today + 25 * MINUTE);
    const exclusions = await resolveAlertExclusions(testDb.db, await loadPreviewQuietContext(testDb.db, now, now), rule);
    expect(await measureFleetValue(testDb.db, rule, now, exclusions)).toEqual({
      value: 3,
      threshold: 1.5,
      baseline: { usualPerMinute: 0.5, days: 7 },
    });
    // Counted in, the flapper's usual 2 a minute would have raised the threshold above today's burst.
    expect(await measureFleetValue(testDb.db, rule, now)).toMatchObject({ threshold: 7.5, baseline: { usualPerMinute: 2.5 } });
  });

  it("says offline-device rules cannot be previewed", async () => {
    const preview = await previewAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({ name: "off", kind: "device_offline_longer", params: { threshold: 30 } }),
      new Date(),
    );
    expect(preview).toMatchObject({ supported: false, reason: expect.stringMatching(/cannot be previewed/) });
  });
});
