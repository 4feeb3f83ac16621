import type { DeviceDiagnosis, Finding } from "../types.ts";
import type { Expectation, FindingMatcher, ScenarioGroup } from "./patterns.ts";

/** The targets issue 12 sets; the accuracy test and the report check them. */
export const ACCURACY_TARGETS = { rightShare: 0.98, confidentWrong: 0, benignAlarms: 0, highConfidenceRightShare: 0.9 } as const;
/** A wrong banner at or above this confidence is a confident wrong answer. */
export const CONFIDENT = 0.9;

const isAlarming = (finding: Finding) => finding.severity === "critical" || finding.severity === "warning";

export function matchesFinding(finding: Finding, matcher: FindingMatcher): boolean {
  if (finding.analyzer !== matcher.analyzer) return false;
  if (matcher.severities && !matcher.severities.includes(finding.severity)) return false;
  if (matcher.periodKinds && !matcher.periodKinds.includes(String(finding.evidence.stats.kind))) return false;
  if (matcher.mentions) {
    const text = [finding.title, finding.verdict, ...finding.steps.map((step) => step.text)].join(" ");
    if (!text.includes(matcher.mentions)) return false;
  }
  return true;
}

export type BannerSummary = { analyzer: string; severity: string; confidence: number; title: string; kind: string | null } | null;

export type Judgement = {
  right: boolean;
  /** A wrong banner with confidence ≥ 0.9, a wrong alarming banner, any alarm where none is due, or any forbidden finding. */
  confidentWrong: boolean;
  /** Critical or warning findings in a scenario that expects no alarm. */
  unexpectedAlarms: string[];
  forbiddenHits: string[];
  banner: BannerSummary;
};

function summarizeBanner(finding: Finding | null): BannerSummary {
  if (!finding) return null;
  const kind = finding.evidence.stats.kind;
  return {
    analyzer: finding.analyzer,
    severity: finding.severity,
    confidence: finding.confidence,
    title: finding.title,
    kind: kind === undefined ? null : String(kind),
  };
}

/** Pure: is the diagnosis of one scenario what the field guides say it should be? */
export function judgeDiagnosis(expected: Expectation, diagnosis: DeviceDiagnosis): Judgement {
  const banner = diagnosis.verdict;
  const forbiddenHits = (expected.forbidden ?? []).filter((analyzer) =>
    diagnosis.findings.some((finding) => finding.analyzer === analyzer),
  );
  if (expected.kind === "finding") {
    const bannerRight = banner !== null && expected.accept.some((matcher) => matchesFinding(banner, matcher));
    const right = bannerRight && forbiddenHits.length === 0;
    const confidentWrong =
      (!bannerRight && banner !== null && (banner.confidence >= CONFIDENT || isAlarming(banner))) || forbiddenHits.length > 0;
    return { right, confidentWrong, unexpectedAlarms: [], forbiddenHits, banner: summarizeBanner(banner) };
  }
  const unexpectedAlarms = diagnosis.findings.filter(isAlarming).map((finding) => finding.analyzer);
  const bannerRight = !expected.banner || (banner !== null && expected.banner.some((matcher) => matchesFinding(banner, matcher)));
  const right = unexpectedAlarms.length === 0 && bannerRight && forbiddenHits.length === 0;
  const confidentWrong =
    unexpectedAlarms.length > 0 || forbiddenHits.length > 0 || (!bannerRight && banner !== null && banner.confidence >= CONFIDENT);
  return { right, confidentWrong, unexpectedAlarms, forbiddenHits, banner: summarizeBanner(banner) };
}

export type ScenarioResult = {
  id: string;
  pattern: string;
  group: ScenarioGroup;
  format: string;
  window: string;
  params: Record<string, string | number>;
  expected: string;
  judgement: Judgement;
};

type Tally = { total: number; right: number; confidentWrong: number; alarmsWhereNone: number };
const emptyTally = (): Tally => ({ total: 0, right: 0, confidentWrong: 0, alarmsWhereNone: 0 });

function add(tally: Tally, result: ScenarioResult): void {
  tally.total += 1;
  if (result.judgement.right) tally.right += 1;
  if (result.judgement.confidentWrong) tally.confidentWrong += 1;
  if (result.judgement.unexpectedAlarms.length > 0) tally.alarmsWhereNone += 1;
}

export const CALIBRATION_BUCKETS: readonly (readonly [number, number])[] = [
  [0, 0.5],
  [0.5, 0.6],
  [0.6, 0.7],
  [0.7, 0.8],
  [0.8, 0.9],
  [0.9, 0.95],
  [0.95, 1.01],
];

export type AccuracySummary = {
  overall: Tally;
  /** Scenarios of the benign group with any critical or warning finding. */
  benignAlarms: number;
  byGroup: Record<string, Tally>;
  byPattern: Record<string, Tally & { wrongBanners: Record<string, number> }>;
  byFormat: Record<string, Tally>;
  byPatternFormat: Record<string, Record<string, Tally>>;
  calibration: { from: number; to: number; banners: number; right: number }[];
  noBanner: { banners: number; right: number };
  highConfidence: { banners: number; right: number };
  failures: ScenarioResult[];
};

function bannerLabel(banner: BannerSummary): string {
  if (!banner) return "no finding";
  return `${banner.analyzer}${banner.kind ? `[${banner.kind}]` : ""} (${banner.severity})`;
}

export function summarizeAccuracy(results: readonly ScenarioResult[]): AccuracySummary {
  const summary: AccuracySummary = {
    overall: emptyTally(),
    benignAlarms: 0,
    byGroup: {},
    byPattern: {},
    byFormat: {},
    byPatternFormat: {},
    calibration: CALIBRATION_BUCKETS.map(([from, to]) => ({ from, to, banners: 0, right: 0 })),
    noBanner: { banners: 0, right: 0 },
    highConfidence: { banners: 0, right: 0 },
    failures: [],
  };
  for (const result of results) {
    const format = result.format;
    add(summary.overall, result);
    add((summary.byGroup[result.group] ??= emptyTally()), result);
    const pattern = (summary.byPattern[result.pattern] ??= { ...emptyTally(), wrongBanners: {} });
    add(pattern, result);
    add((summary.byFormat[format] ??= emptyTally()), result);
    add(((summary.byPatternFormat[result.pattern] ??= {})[format] ??= emptyTally()), result);
    if (result.group === "benign" && result.judgement.unexpectedAlarms.length > 0) summary.benignAlarms += 1;
    const banner = result.judgement.banner;
    if (!result.judgement.right) {
      const label = bannerLabel(banner);
      pattern.wrongBanners[label] = (pattern.wrongBanners[label] ?? 0) + 1;
      summary.failures.push(result);
    }
    if (banner === null) {
      summary.noBanner.banners += 1;
      if (result.judgement.right) summary.noBanner.right += 1;
      continue;
    }
    const bucket = summary.calibration.find((b) => banner.confidence >= b.from && banner.confidence < b.to);
    if (bucket) {
      bucket.banners += 1;
      if (result.judgement.right) bucket.right += 1;
    }
    if (banner.confidence >= CONFIDENT) {
      summary.highConfidence.banners += 1;
      if (result.judgement.right) summary.highConfidence.right += 1;
    }
  }
  return summary;
}

export type TargetCheck = { name: string; target: string; actual: string; met: boolean };

const share = (right: number, total: number) => (total === 0 ? 1 : right / total);
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

export function checkTargets(summary: AccuracySummary): TargetCheck[] {
  const rightShare = share(summary.overall.right, summary.overall.total);
  const high = share(summary.highConfidence.right, summary.highConfidence.banners);
  return [
    {
      name: "Right top finding (banner)",
      target: `≥ ${pct(ACCURACY_TARGETS.rightShare)}`,
      actual: `${pct(rightShare)} (${summary.overall.right}/${summary.overall.total})`,
      met: rightShare >= ACCURACY_TARGETS.rightShare,
    },
    {
      name: "Confident wrong findings",
      target: `${ACCURACY_TARGETS.confidentWrong}`,
      actual: String(summary.overall.confidentWrong),
      met: summary.overall.confidentWrong <= ACCURACY_TARGETS.confidentWrong,
    },
    {
      name: "Alarms on benign controls",
      target: `${ACCURACY_TARGETS.benignAlarms}`,
      actual: String(summary.benignAlarms),
      met: summary.benignAlarms <= ACCURACY_TARGETS.benignAlarms,
    },
    {
      name: "Banners with confidence ≥ 0.9 that are right",
      target: `≥ ${pct(ACCURACY_TARGETS.highConfidenceRightShare)}`,
      actual: `${pct(high)} (${summary.highConfidence.right}/${summary.highConfidence.banners})`,
      met: high >= ACCURACY_TARGETS.highConfidenceRightShare,
    },
  ];
}

function tallyCell(tally: Tally | undefined): string {
  if (!tally || tally.total === 0) return "·";
  return `${Math.round(share(tally.right, tally.total) * 100)}`;
}

/** The Markdown report `npm run diagnosis:accuracy` writes to docs/diagnosis-accuracy.md. */
export function renderAccuracyReport(
  summary: AccuracySummary,
  meta: { command: string; date: string; seeds: string; durationSec: number; branch?: string },
): string {
  const lines: string[] = [];
  const row = (cells: (string | number)[]) => lines.push(`| ${cells.join(" | ")} |`);
  lines.push("# Diagnosis accuracy", "");
  lines.push(
    `Measured on ${meta.date} with \`${meta.command}\` (seeds ${meta.seeds}, ${summary.overall.total} scenarios, ${meta.durationSec.toFixed(0)} s${meta.branch ? `, branch \`${meta.branch}\`` : ""}).`,
    "",
    "Each scenario is one device's `DiagnosisInput` built by `lib/diagnosis/corpus` from raw vendor payloads run through the real",
    'source adapters, with the top finding the field guides call for (or "no alarm" for benign controls). A scenario is right when',
    "the banner (`pickVerdict`) matches and no forbidden finding appears; for no-alarm scenarios, when no finding is critical or warning.",
    "A confident wrong answer is a wrong banner with confidence ≥ 0.9, a wrong alarming banner, an alarm where none is due, or a forbidden",
    "finding (e.g. any periodic finding on Poisson drops).",
    "",
  );
  lines.push("## Targets", "");
  row(["Measure", "Target", "Actual", "Met"]);
  row(["---", "---", "---", "---"]);
  for (const check of checkTargets(summary)) row([check.name, check.target, check.actual, check.met ? "yes" : "**no**"]);
  lines.push("");

  lines.push("## By group", "");
  row(["Group", "Scenarios", "Right", "Confident wrong", "Alarms where none is due"]);
  row(["---", "---:", "---:", "---:", "---:"]);
  for (const [group, tally] of Object.entries(summary.byGroup))
    row([group, tally.total, pct(share(tally.right, tally.total)), tally.confidentWrong, tally.alarmsWhereNone]);
  lines.push("");

  lines.push("## By pattern", "");
  row(["Pattern", "Scenarios", "Right", "Confident wrong", "Wrong banners (count)"]);
  row(["---", "---:", "---:", "---:", "---"]);
  for (const [pattern, tally] of Object.entries(summary.byPattern)) {
    const wrong = Object.entries(tally.wrongBanners)
      .sort((a, b) => b[1] - a[1])
      .map(([label, count]) => `${label} ×${count}`)
      .join("; ");
    row([pattern, tally.total, pct(share(tally.right, tally.total)), tally.confidentWrong, wrong || "—"]);
  }
  lines.push("");

  lines.push("## By format", "");
  row(["Format", "Scenarios", "Right", "Confident wrong"]);
  row(["---", "---:", "---:", "---:"]);
  for (const [format, tally] of Object.entries(summary.byFormat))
    row([format, tally.total, pct(share(tally.right, tally.total)), tally.confidentWrong]);
  lines.push("");

  const formats = Object.keys(summary.byFormat);
  lines.push("## Pattern × format (% right; · = the format cannot express the pattern)", "");
  row(["Pattern", ...formats]);
  row(["---", ...formats.map(() => "---:")]);
  for (const [pattern, byFormat] of Object.entries(summary.byPatternFormat))
    row([pattern, ...formats.map((format) => tallyCell(byFormat[format]))]);
  lines.push("");

  lines.push("## Calibration (banner confidence → share right)", "");
  row(["Confidence", "Banners", "Right"]);
  row(["---", "---:", "---:"]);
  for (const bucket of summary.calibration)
    row([
      `${bucket.from.toFixed(2)}–${Math.min(1, bucket.to).toFixed(2)}`,
      bucket.banners,
      bucket.banners === 0 ? "—" : pct(share(bucket.right, bucket.banners)),
    ]);
  row([
    "no banner",
    summary.noBanner.banners,
    summary.noBanner.banners === 0 ? "—" : pct(share(summary.noBanner.right, summary.noBanner.banners)),
  ]);
  lines.push("");

  lines.push("## Failures by pattern, format and what the banner said", "");
  lines.push(
    "Reproduce one with `generateCorpus({ seed, patterns: [pattern], formats: [format] })` and `diagnoseDevice(scenario.input)`.",
    "",
  );
  const groups = new Map<string, { failure: ScenarioResult; count: number }>();
  for (const failure of summary.failures) {
    const banner = failure.judgement.banner;
    const also = [
      ...failure.judgement.unexpectedAlarms.map((a) => `alarm: ${a}`),
      ...failure.judgement.forbiddenHits.map((a) => `forbidden: ${a}`),
    ].join(", ");
    const key = `${failure.pattern}|${failure.format}|${bannerLabel(banner)}|${also}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { failure, count: 1 });
  }
  row(["Pattern", "Format", "Expected", "Got (banner, confidence of the example)", "Also", "Count", "Example", "Example parameters"]);
  row(["---", "---", "---", "---", "---", "---:", "---", "---"]);
  for (const { failure, count } of [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 80)) {
    const banner = failure.judgement.banner;
    const got = banner ? `${bannerLabel(banner)} ${banner.confidence.toFixed(2)}` : "no finding";
    const also = [
      ...failure.judgement.unexpectedAlarms.map((a) => `alarm: ${a}`),
      ...failure.judgement.forbiddenHits.map((a) => `forbidden: ${a}`),
    ].join(", ");
    const params = Object.entries(failure.params)
      .map(([key, value]) => `${key}=${value}`)
      .join(" ");
    row([failure.pattern, failure.format, failure.expected, got, also || "—", count, `\`${failure.id}\``, params]);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}
