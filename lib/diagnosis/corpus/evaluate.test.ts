import { describe, expect, it } from "vitest";
import type { DeviceDiagnosis, Finding, Severity } from "../types.ts";
import { checkTargets, judgeDiagnosis, renderAccuracyReport, summarizeAccuracy, type ScenarioResult } from "./evaluate.ts";
import type { Expectation } from "./patterns.ts";

function finding(
  analyzer: string,
  severity: Severity,
  confidence: number,
  stats: Record<string, string | number> = {},
  stepText = "",
): Finding {
  return {
    analyzer,
    title: analyzer,
    verdict: `${analyzer} verdict`,
    severity,
    confidence,
    evidence: { eventIds: [], stats, range: null },
    codes: [],
    steps: stepText ? [{ text: stepText, check: "manual", status: "unknown", detail: "", evidence: null }] : [],
  };
}

function diagnosis(findings: Finding[]): DeviceDiagnosis {
  const verdict = findings.find((f) => f.severity === "critical" || f.severity === "warning") ?? findings[0] ?? null;
  return {
    deviceId: "d",
    window: { from: "", to: "" },
    truncated: false,
    findings,
    verdict,
    summary: {
      connects: 0,
      drops: 0,
      cleanDisconnects: 0,
      failedConnects: 0,
      fleetWideDrops: 0,
      lastKeepaliveSec: null,
      recommendedKeepaliveSec: 60,
      natIdleWindowSec: null,
    },
  };
}

const idle: Expectation = {
  kind: "finding",
  description: "periodic idle",
  accept: [{ analyzer: "periodic-drops", periodKinds: ["idle"] }],
};
const poisson: Expectation = {
  kind: "finding",
  description: "irregular",
  accept: [{ analyzer: "irregular-drops" }],
  forbidden: ["periodic-drops"],
};
const calm: Expectation = { kind: "no-alarm", description: "renewal", banner: [{ analyzer: "token-renewal" }] };

describe("judgeDiagnosis", () => {
  it("checks the analyzer and the period kind of the banner", () => {
    expect(judgeDiagnosis(idle, diagnosis([finding("periodic-drops", "warning", 0.9, { kind: "idle" })])).right).toBe(true);
    const wrongKind = judgeDiagnosis(idle, diagnosis([finding("periodic-drops", "warning", 0.8, { kind: "sas" })]));
    expect(wrongKind).toMatchObject({ right: false, confidentWrong: true });
    expect(judgeDiagnosis(idle, diagnosis([]))).toMatchObject({ right: false, confidentWrong: false, banner: null });
  });

  it("counts a forbidden finding anywhere as a confident wrong answer", () => {
    const result = judgeDiagnosis(
      poisson,
      diagnosis([finding("irregular-drops", "warning", 0.9), finding("periodic-drops", "warning", 0.5)]),
    );
    expect(result).toMatchObject({ right: false, confidentWrong: true, forbiddenHits: ["periodic-drops"] });
  });

  it("requires no alarm and the expected calm banner on benign controls", () => {
    expect(judgeDiagnosis(calm, diagnosis([finding("token-renewal", "expected", 0.95)])).right).toBe(true);
    const alarm = judgeDiagnosis(
      calm,
      diagnosis([finding("token-renewal", "expected", 0.95), finding("reconnect-storm", "critical", 0.6)]),
    );
    expect(alarm).toMatchObject({ right: false, confidentWrong: true, unexpectedAlarms: ["reconnect-storm"] });
  });

  it("matches words in the finding's text", () => {
    const keepalive: Expectation = {
      kind: "finding",
      description: "keepalive",
      accept: [{ analyzer: "keepalive-too-long", mentions: "60 s" }],
    };
    expect(
      judgeDiagnosis(keepalive, diagnosis([finding("keepalive-too-long", "warning", 0.7, {}, "Set the keepalive to 60 s")])).right,
    ).toBe(true);
    expect(judgeDiagnosis(keepalive, diagnosis([finding("keepalive-too-long", "warning", 0.7, {}, "Lower the keepalive")])).right).toBe(
      false,
    );
  });
});

describe("summarizeAccuracy", () => {
  const result = (
    id: string,
    group: ScenarioResult["group"],
    right: boolean,
    confidence: number | null,
    alarms: string[] = [],
  ): ScenarioResult => ({
    id,
    pattern: id.split("/")[0] ?? id,
    group,
    format: "emqx",
    window: "24h",
    params: {},
    expected: "x",
    judgement: {
      right,
      confidentWrong: !right && (confidence ?? 0) >= 0.9,
      unexpectedAlarms: alarms,
      forbiddenHits: [],
      banner: confidence === null ? null : { analyzer: "a", severity: "warning", confidence, title: "a", kind: null },
    },
  });

  it("tallies shares, benign alarms and calibration, and checks the targets", () => {
    const results = [
      result("p/1", "pattern", true, 0.95),
      result("p/2", "pattern", false, 0.92),
      result("b/1", "benign", false, 0.5, ["reconnect-storm"]),
      result("b/2", "benign", true, null),
    ];
    const summary = summarizeAccuracy(results);
    expect(summary.overall).toMatchObject({ total: 4, right: 2, confidentWrong: 1 });
    expect(summary.benignAlarms).toBe(1);
    expect(summary.highConfidence).toEqual({ banners: 2, right: 1 });
    expect(summary.calibration.find((bucket) => bucket.from === 0.9)).toMatchObject({ banners: 1, right: 0 });
    expect(summary.calibration.find((bucket) => bucket.from === 0.95)).toMatchObject({ banners: 1, right: 1 });
    expect(summary.noBanner).toEqual({ banners: 1, right: 1 });
    expect(checkTargets(summary).map((check) => check.met)).toEqual([false, false, false, false]);
    const report = renderAccuracyReport(summary, {
      command: "npm run diagnosis:accuracy -- --seeds 1",
      date: "2026-12-01",
      seeds: "1–1",
      durationSec: 1,
    });
    expect(report).toContain("npm run diagnosis:accuracy -- --seeds 1");
    expect(report).toContain("| Right top finding (banner) | ≥ 98.0 % | 50.0 % (2/4) | **no** |");
    expect(report).toContain("| p | emqx | x | a (warning) 0.92 | — | 1 | `p/2` |  |");
    expect(report).toContain("| b | emqx | x | a (warning) 0.50 | alarm: reconnect-storm | 1 | `b/1` |  |");
  });
});
