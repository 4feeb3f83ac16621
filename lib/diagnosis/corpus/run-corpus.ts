import { diagnoseDevice } from "../diagnose-device.ts";
import type { FormatId } from "./formats.ts";
import { generateCorpus } from "./generate-corpus.ts";
import { judgeDiagnosis, type ScenarioResult } from "./evaluate.ts";

/** Diagnoses every scenario of the given seeds and judges each against its expectation. */
export function evaluateCorpus(options: {
  seeds: readonly number[];
  patterns?: readonly string[];
  formats?: readonly FormatId[];
}): ScenarioResult[] {
  const results: ScenarioResult[] = [];
  for (const seed of options.seeds) {
    for (const scenario of generateCorpus({
      seed,
      ...(options.patterns ? { patterns: options.patterns } : {}),
      ...(options.formats ? { formats: options.formats } : {}),
    })) {
      const diagnosis = diagnoseDevice(scenario.input);
      results.push({
        id: scenario.id,
        pattern: scenario.pattern,
        group: scenario.group,
        format: scenario.withAgent ? `${scenario.format}+agent` : scenario.format,
        window: scenario.window,
        params: scenario.params,
        expected: scenario.expected.description,
        judgement: judgeDiagnosis(scenario.expected, diagnosis),
      });
    }
  }
  return results;
}
