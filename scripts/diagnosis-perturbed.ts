/**
 * The accuracy corpus's scenarios perturbed the way real feeds perturb histories (lib/diagnosis/corpus/perturbations.ts):
 * per pattern × perturbation, right / cannot tell / confidently wrong (a wrong cause at ≥ 0.7).
 * Run: npm run diagnosis:perturbed -- --seeds 10 [--first 1] [--perturbation clock-skew] [--pattern periodic-sas] [--out file.md]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { evaluatePerturbedCorpus, renderPerturbedMatrix } from "@/lib/diagnosis/corpus/perturbed-evaluation.ts";
import { PERTURBATION_IDS } from "@/lib/diagnosis/corpus/perturbations.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "10" },
    first: { type: "string", default: "1" },
    perturbation: { type: "string", multiple: true },
    pattern: { type: "string", multiple: true },
    out: { type: "string" },
  },
});
const ArgsSchema = z.object({
  seeds: z.coerce.number().int().min(1).max(10_000),
  first: z.coerce.number().int().min(0),
  perturbation: z.array(z.enum(PERTURBATION_IDS)).optional(),
});
const args = ArgsSchema.safeParse(values);
if (!args.success) {
  console.error(`diagnosis:perturbed: ${args.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  process.exit(2);
}
const { seeds, first } = args.data;
const perturbations = args.data.perturbation ?? PERTURBATION_IDS;
const started = performance.now();
const results = evaluatePerturbedCorpus({
  seeds: Array.from({ length: seeds }, (_, index) => first + index),
  perturbations,
  ...(values.pattern ? { patterns: values.pattern } : {}),
});
const matrix = renderPerturbedMatrix(results, perturbations);
if (values.out) writeFileSync(values.out, matrix);
else console.log(matrix);
const wrong = results.filter((result) => result.outcome === "confident-wrong").length;
console.log(`${results.length} perturbed scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s: ${wrong} confidently wrong`);
