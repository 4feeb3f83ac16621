import { describe, expect, it } from "vitest";
import { buildAnalysisContext } from "./analysis-context.ts";
import { detectPeriodicDrops } from "./detect-periodic-drops.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { createTestRandom, HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

const analyzers = (ids: string[]) => ids;

describe("periodic drops", () => {
  it("finds credential expiry every 60 ± 1 min and the reconnect time", () => {
    const random = createTestRandom(1);
    const s = new ScenarioBuilder("meter-1");
    for (let i = 0; i < 24; i += 1)
      s.connect()
        .wait(HOUR + (random() - 0.5) * 2 * MINUTE)
        .drop("not_authorized", "emqx:not_authorized")
        .wait(4 * SECOND);
    const diagnosis = diagnoseDevice(s.input());
    const finding = diagnosis.findings.find((f) => f.analyzer === "periodic-drops");
    expect(finding?.verdict).toMatch(
      /^Drops every 60 ± 0\.\d min with emqx:not_authorized, then reconnects in 4 s: the server cuts the connection when the device's credential expires, a token lifetime of about an hour/,
    );
    expect(finding?.evidence.stats.kind).toBe("sas");
    expect(finding?.confidence).toBeGreaterThan(0.9);
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(finding?.steps.find((step) => step.check === "renews-before-expiry")?.status).toBe("failed");
    expect(finding?.steps.find((step) => step.check === "reconnects-quickly")?.status).toBe("passed");
  });

  it("recognises the 20-minute server idle timeout", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 10; i += 1)
      s.connect()
        .wait(20 * MINUTE + i * SECOND)
        .drop("idle_timeout", "emqx:idle_timeout")
        .wait(3 * SECOND);
    const finding = diagnoseDevice(s.input()).findings.find((f) => f.analyzer === "periodic-drops");
    expect(finding?.title).toContain("idle timeout");
    expect(finding?.verdict).toMatch(/^Drops every 20 ± \d+(\.\d)? s|^Drops every 20 ± 0\.\d min/);
  });

  it("recognises a JWT lifetime of up to 24 h", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 6; i += 1)
      s.connect()
        .wait(12 * HOUR + i * MINUTE)
        .drop("credential_expired", "gcp-iot:the-authorization-token-expired")
        .wait(10 * SECOND);
    const finding = diagnoseDevice(s.input()).findings.find((f) => f.analyzer === "periodic-drops");
    expect(finding?.evidence.stats.kind).toBe("jwt");
    expect(finding?.verdict).toContain("JWT");
  });

  it("does not call random drops periodic", () => {
    const random = createTestRandom(7);
    const s = new ScenarioBuilder();
    for (let i = 0; i < 40; i += 1)
      s.connect()
        .wait(-Math.log(1 - random()) * HOUR)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(5 * SECOND);
    const ids = analyzers(diagnoseDevice(s.input()).findings.map((f) => f.analyzer));
    expect(ids).not.toContain("periodic-drops");
    expect(ids).toContain("irregular-drops");
  });

  it("needs at least four drops", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 3; i += 1) s.connect().wait(HOUR).drop("not_authorized").wait(SECOND);
    expect(diagnoseDevice(s.input()).findings.map((f) => f.analyzer)).not.toContain("periodic-drops");
  });
});

describe("token renewal chain", () => {
  it("recognises 401003 → 404104 → reconnect < 60 s as expected, not alarming", () => {
    const s = new ScenarioBuilder("azure-dev");
    for (let i = 0; i < 8; i += 1) {
      s.connect()
        .wait(65 * MINUTE)
        .refuse("credential_expired", "azure:401003")
        .wait(2 * SECOND)
        .drop("connection_lost", "azure:404104")
        .wait(4 * SECOND);
    }
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.findings.map((f) => f.analyzer)).toEqual(["token-renewal"]);
    expect(diagnosis.verdict?.severity).toBe("expected");
    expect(diagnosis.verdict?.verdict).toBe(
      "Drops every 65 ± 0 min with 401003 and 404104 and reconnects in 4 s: SAS token renewal, expected.",
    );
  });

  it("does not excuse a 401003 that is not followed by a quick reconnect", () => {
    const s = new ScenarioBuilder("azure-dev");
    for (let i = 0; i < 4; i += 1)
      s.connect()
        .wait(65 * MINUTE)
        .refuse("credential_expired", "azure:401003")
        .wait(2 * SECOND)
        .drop("connection_lost", "azure:404104")
        .wait(10 * MINUTE);
    const ids = diagnoseDevice(s.input()).findings.map((f) => f.analyzer);
    expect(ids).not.toContain("token-renewal");
  });
});

describe("a healthy device", () => {
  it("gets no finding", () => {
    const s = new ScenarioBuilder("sensor-ok");
    for (let i = 0; i < 20; i += 1)
      s.connect()
        .wait(11 * HOUR + i * 17 * MINUTE)
        .add("disconnected", "client_disconnect", { code: "emqx:normal" })
        .wait(8 * SECOND);
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.verdict).toBeNull();
    expect(diagnosis.summary).toMatchObject({ connects: 21, drops: 0, cleanDisconnects: 20 });
  });
});

describe("periodic drops of a storming device", () => {
  // Each drop in the period looked for its reconnect gap among every gap: quadratic in the drops, 9 s of a 20,000-event
  // diagnosis and minutes at 90,000 events. With a set of the period's drops, one pass.
  it("finds the reconnect time of 30,000 drops in one pass", { timeout: 30_000 }, () => {
    const s = new ScenarioBuilder("idle-storm");
    for (let i = 0; i < 30_000; i += 1)
      s.connect()
        .wait(20 * MINUTE + (i % 7) * SECOND)
        .drop("idle_timeout", "emqx:idle_timeout")
        .wait(3 * SECOND);
    const [finding] = detectPeriodicDrops(buildAnalysisContext(s.input()));
    expect(finding?.evidence.stats).toMatchObject({ drops: 30_000, medianReconnectSec: 3, kind: "idle" });
  });
});
