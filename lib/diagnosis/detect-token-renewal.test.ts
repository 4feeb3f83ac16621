import { describe, expect, it } from "vitest";
import { buildAnalysisContext } from "./analysis-context.ts";
import { findRenewalChains } from "./detect-token-renewal.ts";
import { MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

describe("findRenewalChains on a storming device", () => {
  // Each 401003 asked every chain found so far whether it held it, and looked for its reconnect from the first event
  // of the history: quadratic twice over, 5 s for 20,000 renewals and minutes for 100,000. One set of chained records,
  // one look ahead.
  it("finds 100,000 renewals in one pass", { timeout: 30_000 }, () => {
    const s = new ScenarioBuilder("azure-storm");
    for (let i = 0; i < 100_000; i += 1)
      s.connect()
        .wait(MINUTE)
        .drop("credential_expired", "azure:401003")
        .wait(SECOND)
        .drop("connection_lost", "azure:404104")
        .wait(2 * SECOND);
    s.connect();
    const chains = buildAnalysisContext(s.input()).renewals;
    expect(chains).toHaveLength(100_000);
    expect(chains.every((chain) => chain.records.length === 2 && chain.reconnect.kind === "connected")).toBe(true);
  });

  // Refused and never back: each 401003 looked back over all the 401003s before it for a reconnect, and ahead to the
  // end of the history.
  it("stops looking for a reconnect once one would come too late", { timeout: 30_000 }, () => {
    const s = new ScenarioBuilder("azure-refused");
    for (let i = 0; i < 60_000; i += 1) s.drop("credential_expired", "azure:401003").wait(5 * SECOND);
    expect(findRenewalChains(s.events)).toEqual([]);
  });
});
