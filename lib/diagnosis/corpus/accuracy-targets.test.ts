import { describe, expect, it } from "vitest";
import { checkTargets, summarizeAccuracy } from "./evaluate.ts";
import { evaluateCorpus } from "./run-corpus.ts";

/**
 * Issue 12's targets over two seeds of the corpus (≈ 320 scenarios, every pattern in every format that can
 * express it). `npm run diagnosis:accuracy -- --seeds 200` measures the same over many seeds and writes
 * docs/diagnosis-accuracy.md.
 *
 * SKIPPED until the analyzers meet the targets (branch `diag` is tuning them). On the analyzers of this branch it
 * fails: device-side-only formats (agent-mqtt3/5, device-report) are never diagnosed (decision 008 says an
 * uploaded export must be), keepalive-nat banners keepalive-timeouts, HiveMQ's "too many concurrent PUBLISH"
 * is not rate limiting, with-agent-reports is called system-event-drops (agent drop reports count as system
 * events), azure-token-renewal raises a reconnect storm on sub-second renewals, steady-retry-no-backoff loses to
 * irregular-drops. See docs/diagnosis-accuracy.md for the figures.
 */
describe("diagnosis accuracy targets", () => {
  it.skip("meets the targets on the seeded corpus", () => {
    const summary = summarizeAccuracy(evaluateCorpus({ seeds: [1, 2] }));
    const failing = Object.entries(summary.byPattern)
      .filter(([, tally]) => tally.right < tally.total)
      .map(([pattern, tally]) => `${pattern}: ${tally.right}/${tally.total} right; got ${Object.keys(tally.wrongBanners).join(", ")}`);
    const unmet = checkTargets(summary).filter((check) => !check.met);
    expect(unmet.map((check) => `${check.name}: ${check.actual} (target ${check.target})`), failing.join("\n")).toEqual([]);
  }, 20_000);
});
