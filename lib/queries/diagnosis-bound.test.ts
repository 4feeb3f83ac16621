import { describe, expect, it } from "vitest";
import { generateCorpus } from "@/lib/diagnosis/corpus/generate-corpus.ts";
import { MAX_DIAGNOSIS_EVENTS } from "./load-diagnosis-input.ts";

describe("MAX_DIAGNOSIS_EVENTS", () => {
  // The bound must only ever cut storms: every history the accuracy corpus judges is read whole.
  // Generating ten seeds of the corpus takes ~30 s on a quiet machine and 158 s was seen at load 19.
  it("is above every history of the accuracy corpus", { timeout: 600_000 }, () => {
    let largest = 0;
    for (let seed = 1; seed <= 10; seed += 1)
      for (const scenario of generateCorpus({ seed })) largest = Math.max(largest, scenario.input.events.length);
    expect(largest).toBeGreaterThan(MAX_DIAGNOSIS_EVENTS / 2);
    expect(largest).toBeLessThan(MAX_DIAGNOSIS_EVENTS);
  });
});
