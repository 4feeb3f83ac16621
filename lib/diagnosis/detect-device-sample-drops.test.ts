import { describe, expect, it } from "vitest";
import { buildAnalysisContext } from "./analysis-context.ts";
import { detectMessageBurstDrops, detectWeakSignalDrops } from "./detect-device-sample-drops.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { ScenarioBuilder } from "./scenario-builder.ts";
import type { DiagnosisSample } from "./types.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const UPTIMES_MIN = [47, 133, 21, 260, 88, 35, 170];

const sample = (at: number, fields: Partial<DiagnosisSample>): DiagnosisSample => ({
  series: "agent-1",
  at: new Date(at),
  rssiDbm: null,
  linkQualityPct: null,
  publishedMessages: null,
  ...fields,
});

/** Irregular network drops with a signal sample every minute; `rssiBeforeDrop` is what the radio read in the minutes before each. */
function signalScenario(rssiBeforeDrop: (index: number) => number) {
  const s = new ScenarioBuilder("wifi-1");
  const samples: DiagnosisSample[] = [];
  UPTIMES_MIN.forEach((uptime, index) => {
    s.connect();
    for (let minute = 0; minute < uptime; minute += 1)
      samples.push(sample(s.now + minute * MINUTE, { rssiDbm: uptime - minute <= 3 ? rssiBeforeDrop(index) : -58 - (minute % 5) }));
    s.wait(uptime * MINUTE)
      .drop("connection_lost", "emqx:tcp_closed")
      .wait(20 * SECOND);
  });
  return { ...s.input(), samples };
}

describe("detectWeakSignalDrops", () => {
  it("blames the radio link when drops follow weak RSSI, naming the values", () => {
    const diagnosis = diagnoseDevice(signalScenario((index) => -80 - index));
    const finding = diagnosis.findings.find((candidate) => candidate.analyzer === "weak-signal-drops");
    expect(finding?.verdict).toMatch(
      /^7 of 7 drops with a signal reading came right after weak signal \(-81 dBm, -82 dBm, .*-86 dBm; -60 dBm the rest of the time\)/,
    );
    expect(finding?.evidence.stats).toMatchObject({ weakDrops: 7, usualRssiDbm: -60 });
    expect(diagnosis.verdict?.analyzer).toBe("weak-signal-drops");
  });

  it("says nothing when the signal was fine before the drops, or when there is no signal data", () => {
    expect(diagnoseDevice(signalScenario(() => -60)).findings.map((finding) => finding.analyzer)).not.toContain("weak-signal-drops");
    const { samples: _samples, ...withoutSamples } = signalScenario((index) => -80 - index);
    expect(diagnoseDevice(withoutSamples).findings.map((finding) => finding.analyzer)).not.toContain("weak-signal-drops");
    // One weak reading among many drops is not a pattern.
    expect(diagnoseDevice(signalScenario((index) => (index === 3 ? -85 : -60))).findings.map((finding) => finding.analyzer)).not.toContain(
      "weak-signal-drops",
    );
  });
});

/** A device publishing once a minute; before the drops in `bursty` it published `burst` messages in the last two minutes. */
function burstScenario(bursty: ReadonlySet<number>, burst = 400) {
  const s = new ScenarioBuilder("burst-1");
  const samples: DiagnosisSample[] = [];
  let published = 0;
  UPTIMES_MIN.forEach((uptime, index) => {
    s.connect();
    const start = s.now;
    for (let minute = 0; minute < uptime; minute += 1) {
      published += bursty.has(index) && uptime - minute <= 2 ? burst / 2 : 1;
      // The count at the end of each minute; the last is the agent's drop report, at the drop.
      samples.push(sample(start + (minute + 1) * MINUTE, { publishedMessages: published }));
    }
    s.wait(uptime * MINUTE)
      .drop("connection_lost", "emqx:tcp_closed")
      .wait(20 * SECOND);
  });
  return { ...s.input(), samples };
}

describe("detectMessageBurstDrops", () => {
  it("finds drops that follow bursts of publishes even without a throttling code", () => {
    const diagnosis = diagnoseDevice(burstScenario(new Set([0, 1, 2, 3, 4, 5])));
    const finding = diagnosis.findings.find((candidate) => candidate.analyzer === "message-burst-drops");
    expect(finding?.verdict).toMatch(
      /^6 of 7 drops with publish counts came right after a burst \(200, .* messages a minute against the usual 1\)/,
    );
    expect(finding?.evidence.stats).toMatchObject({ burstDrops: 6, dropsWithCounts: 7, usualPerMinute: 1 });
  });

  it("says nothing for a steady publisher, a single burst, or counters that restart", () => {
    expect(diagnoseDevice(burstScenario(new Set())).findings.map((finding) => finding.analyzer)).not.toContain("message-burst-drops");
    expect(diagnoseDevice(burstScenario(new Set([2]))).findings.map((finding) => finding.analyzer)).not.toContain("message-burst-drops");
    const restarting = burstScenario(new Set());
    // A counter that drops back to zero at each reconnect (a new agent run) is no burst.
    const reset = restarting.samples.map((entry, index) => ({
      ...entry,
      publishedMessages: index % 40 === 39 ? 0 : entry.publishedMessages,
    }));
    expect(diagnoseDevice({ ...restarting, samples: reset }).findings.map((finding) => finding.analyzer)).not.toContain(
      "message-burst-drops",
    );
  });
});

describe("samples and drops of a storming device", () => {
  // Each drop scanned the device's samples from the first one (signal) and filtered every rate segment (bursts):
  // drops × samples, minutes at 100,000 drops and 300,000 samples. Both now search the sorted samples. The bound is
  // for a machine under heavy load (38 s at load 19, ~2 s quiet), still well below the old scan's minutes.
  const storm = () => {
    const s = new ScenarioBuilder("storm-1");
    const samples: DiagnosisSample[] = [];
    let published = 0;
    for (let i = 0; i < 100_000; i += 1) {
      s.connect();
      for (let minute = 1; minute <= 3; minute += 1) {
        published += minute === 3 ? 1_000 : 10;
        samples.push(sample(s.now + minute * MINUTE, { rssiDbm: -82, publishedMessages: published }));
      }
      s.wait(3 * MINUTE + 10 * SECOND)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(20 * SECOND);
    }
    return { ctx: buildAnalysisContext(s.input()), samples };
  };

  it("reads the signal before 100,000 drops in one pass", { timeout: 150_000 }, () => {
    const { ctx, samples } = storm();
    expect(detectWeakSignalDrops(ctx, samples)[0]?.evidence.stats).toMatchObject({ weakDrops: 100_000, dropsWithSignal: 100_000 });
  });

  it("reads the publish rate before 100,000 drops in one pass", { timeout: 150_000 }, () => {
    const { ctx, samples } = storm();
    expect(detectMessageBurstDrops(ctx, samples)[0]?.evidence.stats).toMatchObject({ burstDrops: 100_000, dropsWithCounts: 100_000 });
  });
});
