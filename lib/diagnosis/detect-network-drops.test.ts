import { describe, expect, it } from "vitest";
import { buildAnalysisContext } from "./analysis-context.ts";
import { detectSystemEventDrops } from "./detect-network-drops.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

describe("detectSystemEventDrops on a chatty device", () => {
  // Each drop compared itself with every system event the device reported: drops × reports, minutes at 50,000 each.
  // The reports are in time order, so each drop reads only those of its own two minutes.
  it("matches 50,000 drops with 50,000 system events in one pass", { timeout: 30_000 }, () => {
    const s = new ScenarioBuilder("laptop-1");
    for (let i = 0; i < 50_000; i += 1)
      s.connect()
        .wait(HOUR)
        .add("device_report", "unknown", { code: i % 2 === 0 ? "agent:SYSTEM_SUSPEND" : "agent:NETWORK_CHANGE" })
        .wait(30 * SECOND)
        .drop("connection_lost")
        .wait(MINUTE);
    const [finding] = detectSystemEventDrops(buildAnalysisContext(s.input()));
    expect(finding?.verdict).toMatch(
      /^50000 of 50000 drops came within 2 min of a system event the device reported \(suspend, network change\)/,
    );
  });
});
