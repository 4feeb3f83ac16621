/**
 * Diagnosis accuracy over the seeded scenario corpus (lib/diagnosis/corpus): runs diagnoseDevice on every
 * scenario of N seeds and writes docs/diagnosis-accuracy.md.
 * Run: npm run diagnosis:accuracy -- --seeds 200 [--first 1] [--pattern periodic-idle] [--out docs/diagnosis-accuracy.md]
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { checkTargets, renderAccuracyReport, summarizeAccuracy } from "@/lib/diagnosis/corpus/evaluate.ts";
import { evaluatePerturbedVariants, renderPerturbedSummary } from "@/lib/diagnosis/corpus/perturbed-evaluation.ts";
import { evaluateCorpus } from "@/lib/diagnosis/corpus/run-corpus.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "200" },
    first: { type: "string", default: "1" },
    pattern: { type: "string", multiple: true },
    out: { type: "string", default: "docs/diagnosis-accuracy.md" },
  },
});
const ArgsSchema = z.object({ seeds: z.coerce.number().int().min(1).max(100_000), first: z.coerce.number().int().min(0) });
const args = ArgsSchema.safeParse(values);
if (!args.success) {
  console.error(`diagnosis:accuracy: ${args.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  process.exit(2);
}
const { seeds, first } = args.data;
const seedList = Array.from({ length: seeds }, (_, index) => first + index);

function currentBranch(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--abbrev-ref", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

const started = performance.now();
const results = evaluateCorpus({ seeds: seedList, ...(values.pattern ? { patterns: values.pattern } : {}) });
const variants = evaluatePerturbedVariants({ seeds: seedList, ...(values.pattern ? { patterns: values.pattern } : {}) });
const durationSec = (performance.now() - started) / 1000;
const summary = summarizeAccuracy(results);
const command = `npm run diagnosis:accuracy -- --seeds ${seeds}${first !== 1 ? ` --first ${first}` : ""}${values.pattern ? values.pattern.map((p) => ` --pattern ${p}`).join("") : ""}`;
const report = renderAccuracyReport(summary, {
  command,
  date: new Date().toISOString().slice(0, 10),
  seeds: `${first}–${first + seeds - 1}`,
  durationSec,
  ...(currentBranch() ? { branch: currentBranch() as string } : {}),
});
writeFileSync(values.out, report + renderPerturbedSummary(variants));

console.log(`${summary.overall.total} scenarios and ${variants.length} perturbed variants in ${durationSec.toFixed(1)} s → ${values.out}`);
for (const check of checkTargets(summary))
  console.log(`${check.met ? "ok  " : "FAIL"} ${check.name}: ${check.actual} (target ${check.target})`);
const variantsWrong = variants.filter((result) => result.outcome === "confident-wrong").length;
console.log(
  `${variantsWrong === 0 ? "ok  " : "FAIL"} Perturbed variants confidently wrong: ${variantsWrong} of ${variants.length}, ${variants.filter((result) => result.outcome === "right").length} right (target 0)`,
);
