import { diagnoseDevice } from "../diagnose-device.ts";
import type { DeviceDiagnosis } from "../types.ts";
import { judgeDiagnosis, type BannerSummary, type Judgement } from "./evaluate.ts";
import { generateCorpus, type Scenario } from "./generate-corpus.ts";
import { formatsOf, PATTERNS, type Expectation, type FindingMatcher } from "./patterns.ts";
import { PERTURBATION_IDS, PERTURBATIONS, type PerturbationId } from "./perturbations.ts";

/** A wrong cause at or above this confidence is confidently wrong on a perturbed history (a guess presented as a verdict). */
export const PERTURBED_CONFIDENT = 0.7;

export type PerturbedOutcome = "right" | "cannot-tell" | "confident-wrong";

/**
 * Findings that name a pattern's cause without the detail the whole history shows (its period, its retry cadence, its
 * NAT window): right answers once records are lost, shifted or few. Credential cuts without one period are the token
 * expiry; connections closed within a second of connecting are what a storm's and a steady retry loop's timelines are;
 * a keepalive too long for the NAT is the short NAT's cause when too few drops show its window.
 */
const SAME_CAUSE: Readonly<Record<string, readonly FindingMatcher[]>> = {
  "periodic-sas": [{ analyzer: "credential-drops" }],
  "periodic-jwt": [{ analyzer: "credential-drops" }],
  "reconnect-storm": [{ analyzer: "drops-right-after-connect" }, { analyzer: "protocol-errors" }],
  "steady-retry-no-backoff": [{ analyzer: "drops-right-after-connect" }],
  "keepalive-nat-short": [{ analyzer: "keepalive-too-long" }],
  "keepalive-change": [{ analyzer: "keepalive-too-long" }],
};

/** The pattern's expectation with the perturbation's extra right answers (a second cause's own finding). */
export function widenExpectation(expected: Expectation, alsoAccept: readonly FindingMatcher[] | undefined): Expectation {
  if (!alsoAccept || alsoAccept.length === 0) return expected;
  // A finding that is right here is forbidden no more (the second cause's irregular drops beside fleet-wide ones).
  const forbidden = expected.forbidden?.filter((analyzer) => !alsoAccept.some((matcher) => matcher.analyzer === analyzer));
  const widened = { ...expected, ...(forbidden ? { forbidden } : {}) };
  if (widened.kind === "finding") return { ...widened, accept: [...widened.accept, ...alsoAccept] };
  return { ...widened, banner: [...(widened.banner ?? []), ...alsoAccept] };
}

/**
 * Right as the corpus judges it; otherwise confidently wrong when a forbidden finding appears at ≥ 0.7, the banner names
 * a wrong cause at ≥ 0.7, or (where no alarm is due) a critical or warning finding is that confident; else "cannot tell".
 */
export function classifyPerturbed(expected: Expectation, diagnosis: DeviceDiagnosis, judgement: Judgement): PerturbedOutcome {
  if (judgement.right) return "right";
  const confidentlyForbidden = diagnosis.findings.some(
    (finding) => judgement.forbiddenHits.includes(finding.analyzer) && finding.confidence >= PERTURBED_CONFIDENT,
  );
  if (confidentlyForbidden) return "confident-wrong";
  const banner = judgement.banner;
  const alarmedWrongly =
    expected.kind === "no-alarm" &&
    diagnosis.findings.some(
      (finding) => (finding.severity === "critical" || finding.severity === "warning") && finding.confidence >= PERTURBED_CONFIDENT,
    );
  if (alarmedWrongly) return "confident-wrong";
  const bannerWrong = expected.kind === "finding" || (expected.banner !== undefined && expected.banner.length > 0);
  if (bannerWrong && banner !== null && banner.confidence >= PERTURBED_CONFIDENT) return "confident-wrong";
  return "cannot-tell";
}

export type PerturbedResult = {
  id: string;
  pattern: string;
  perturbation: PerturbationId;
  outcome: PerturbedOutcome;
  banner: BannerSummary;
};

function judgePerturbed(scenario: Scenario, perturbation: PerturbationId): PerturbedResult {
  const expected = widenExpectation(scenario.expected, [
    ...(PERTURBATIONS[perturbation].alsoAccept ?? []),
    ...(SAME_CAUSE[scenario.pattern] ?? []),
  ]);
  const diagnosis = diagnoseDevice(scenario.input);
  const judgement = judgeDiagnosis(expected, diagnosis);
  return {
    id: scenario.id,
    pattern: scenario.pattern,
    perturbation,
    outcome: classifyPerturbed(expected, diagnosis, judgement),
    banner: judgement.banner,
  };
}

/** Every scenario of the seeds under every given perturbation (`npm run diagnosis:perturbed`). */
export function evaluatePerturbedCorpus(options: {
  seeds: readonly number[];
  perturbations: readonly PerturbationId[];
  patterns?: readonly string[];
}): PerturbedResult[] {
  const results: PerturbedResult[] = [];
  for (const perturbation of options.perturbations)
    for (const seed of options.seeds)
      for (const scenario of generateCorpus({ seed, perturbation, ...(options.patterns ? { patterns: options.patterns } : {}) }))
        results.push(judgePerturbed(scenario, perturbation));
  return results;
}

/**
 * The variants `npm run diagnosis:accuracy` adds to the corpus: each seed takes the perturbations in turn, one scenario
 * per pattern (its format in turn too), so 200 seeds perturb every pattern about 22 times each way at a sixth of the
 * corpus's cost.
 */
export function evaluatePerturbedVariants(options: { seeds: readonly number[]; patterns?: readonly string[] }): PerturbedResult[] {
  const results: PerturbedResult[] = [];
  for (const seed of options.seeds) {
    const perturbation = PERTURBATION_IDS[seed % PERTURBATION_IDS.length] as PerturbationId;
    for (const pattern of PATTERNS) {
      if (options.patterns && !options.patterns.includes(pattern.id)) continue;
      const formats = formatsOf(pattern);
      const first = Math.floor(seed / PERTURBATION_IDS.length);
      // The format in turn; the next one where the perturbation does not apply to it (a device-side format has no second source).
      for (let k = 0; k < formats.length; k += 1) {
        const format = formats[(first + k) % formats.length];
        const scenario = format ? generateCorpus({ seed, perturbation, patterns: [pattern.id], formats: [format] })[0] : undefined;
        if (!scenario) continue;
        results.push(judgePerturbed(scenario, perturbation));
        break;
      }
    }
  }
  return results;
}

/** Per perturbation: right, cannot tell, confidently wrong; the section the accuracy report ends with. */
export function renderPerturbedSummary(results: readonly PerturbedResult[]): string {
  const lines = [
    "## Perturbed variants (lib/diagnosis/corpus/perturbations.ts, decision 088)",
    "",
    "Per seed one perturbation in turn, one scenario per pattern. Right as above (or the perturbation's second cause, or a finding",
    'naming the pattern\'s cause without its detail); "cannot tell" is a wrong banner below 0.7 or none; confidently wrong is a wrong',
    "cause at ≥ 0.7, an alarm at ≥ 0.7 where none is due, or a forbidden finding at ≥ 0.7 (target 0).",
    "",
    "| Perturbation | Scenarios | Right | Cannot tell | Confidently wrong |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const perturbation of PERTURBATION_IDS) {
    const mine = results.filter((result) => result.perturbation === perturbation);
    const count = (outcome: PerturbedOutcome) => mine.filter((result) => result.outcome === outcome).length;
    lines.push(`| ${perturbation} | ${mine.length} | ${count("right")} | ${count("cannot-tell")} | ${count("confident-wrong")} |`);
  }
  const wrong = results.filter((result) => result.outcome === "confident-wrong");
  lines.push("", ...wrong.slice(0, 40).map((result) => `- \`${result.id}\`: ${describeBanner(result.banner)}`), "");
  return `${lines.join("\n")}\n`;
}

const describeBanner = (banner: BannerSummary) =>
  banner
    ? `${banner.analyzer}${banner.kind ? `[${banner.kind}]` : ""} ${banner.severity} ${banner.confidence.toFixed(2)} — ${banner.title}`
    : "no banner (an alarm or forbidden finding)";

/** Pattern × perturbation: right / cannot tell / confidently wrong, and the confidently wrong examples. */
export function renderPerturbedMatrix(results: readonly PerturbedResult[], perturbations: readonly PerturbationId[]): string {
  const cells = new Map<string, Record<PerturbedOutcome, number>>();
  const patterns: string[] = [];
  for (const result of results) {
    if (!patterns.includes(result.pattern)) patterns.push(result.pattern);
    const key = `${result.pattern}|${result.perturbation}`;
    const cell = cells.get(key) ?? { right: 0, "cannot-tell": 0, "confident-wrong": 0 };
    cell[result.outcome] += 1;
    cells.set(key, cell);
  }
  const lines = [`| pattern | ${perturbations.join(" | ")} |`, `| --- | ${perturbations.map(() => "---:").join(" | ")} |`];
  for (const pattern of patterns) {
    const row = perturbations.map((perturbation) => {
      const cell = cells.get(`${pattern}|${perturbation}`);
      if (!cell) return "·";
      const wrong = cell["confident-wrong"];
      return `${cell.right}/${cell["cannot-tell"]}/${wrong > 0 ? `**${wrong}**` : 0}`;
    });
    lines.push(`| ${pattern} | ${row.join(" | ")} |`);
  }
  const totals = perturbations.map((perturbation) => {
    const mine = results.filter((result) => result.perturbation === perturbation);
    const count = (outcome: PerturbedOutcome) => mine.filter((result) => result.outcome === outcome).length;
    return `${count("right")}/${count("cannot-tell")}/${count("confident-wrong")}`;
  });
  lines.push(`| **all** | ${totals.join(" | ")} |`, "");
  const wrong = results.filter((result) => result.outcome === "confident-wrong");
  for (const result of wrong.slice(0, 200)) lines.push(`- \`${result.id}\`: ${describeBanner(result.banner)}`);
  return `${lines.join("\n")}\n`;
}
