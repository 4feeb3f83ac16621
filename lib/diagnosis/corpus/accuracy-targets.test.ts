import { describe, expect, it } from "vitest";
import { checkTargets, summarizeAccuracy } from "./evaluate.ts";
import { evaluatePerturbedVariants } from "./perturbed-evaluation.ts";
import { evaluateCorpus } from "./run-corpus.ts";

/**
 * Issue 12's targets over three seeds of the corpus (≈ 480 scenarios, every pattern in every format that can
 * express it), so a regression fails `npm test`. `npm run diagnosis:accuracy -- --seeds 200` measures the same over
 * many seeds and writes docs/diagnosis-accuracy.md.
 */
describe("diagnosis accuracy targets", () => {
  it("meets the targets on the seeded corpus", () => {
    const summary = summarizeAccuracy(evaluateCorpus({ seeds: [1, 2, 3] }));
    const failing = Object.entries(summary.byPattern)
      .filter(([, tally]) => tally.right < tally.total)
      .map(([pattern, tally]) => `${pattern}: ${tally.right}/${tally.total} right; got ${Object.keys(tally.wrongBanners).join(", ")}`);
    const unmet = checkTargets(summary).filter((check) => !check.met);
    expect(
      unmet.map((check) => `${check.name}: ${check.actual} (target ${check.target})`),
      failing.join("\n"),
    ).toEqual([]);
  }, 120_000);

  // Seeds 1–9 take each perturbation once (decision 088): no wrong cause at ≥ 0.7 on histories as real feeds deliver them.
  it("gives no confidently wrong verdict on the perturbed variants", () => {
    const wrong = evaluatePerturbedVariants({ seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9] }).filter(
      (result) => result.outcome === "confident-wrong",
    );
    expect(wrong.map((result) => `${result.id}: ${result.banner?.analyzer ?? "alarm"} ${result.banner?.confidence ?? ""}`)).toEqual([]);
  }, 120_000);
});
