import { describe, expect, it } from "vitest";
import { median } from "../statistics.ts";
import type { DiagnosisEvent } from "../types.ts";
import { FORMATS } from "./formats.ts";
import { generateCorpus, type Scenario } from "./generate-corpus.ts";
import { PATTERNS, formatsOf } from "./patterns.ts";
import { createRandom } from "./random.ts";

const corpus = generateCorpus({ seed: 11 });
const byPattern = (id: string) => corpus.filter((scenario) => scenario.pattern === id);

/** Dates and Maps survive the comparison as plain values. */
function snapshot(scenarios: readonly Scenario[]): string {
  return JSON.stringify(
    scenarios.map((scenario) => ({
      ...scenario,
      stored: scenario.stored.map((event) => event.dedupeKey),
      input: {
        ...scenario.input,
        fleet: scenario.input.fleet ? [scenario.input.fleet.devicesTotal, [...scenario.input.fleet.otherDevicesDropping]] : null,
      },
    })),
  );
}

/** Connected time before each drop, from the events alone (independent of the analyzers). */
function uptimesOf(events: readonly DiagnosisEvent[]): number[] {
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const uptimes: number[] = [];
  let connectedAt: number | null = null;
  for (const event of sorted) {
    if (event.kind === "connected") connectedAt = event.occurredAt.getTime();
    else if (event.kind === "disconnected") {
      if (connectedAt !== null && event.reason !== "client_disconnect") uptimes.push(event.occurredAt.getTime() - connectedAt);
      connectedAt = null;
    }
  }
  return uptimes;
}

describe("createRandom", () => {
  it("repeats its sequence for a seed and forks independently of what was drawn", () => {
    const a = createRandom(5);
    const b = createRandom(5);
    expect([a.next(), a.next(), a.next()]).toEqual([b.next(), b.next(), b.next()]);
    const fresh = createRandom(5).fork("x").next();
    const used = createRandom(5);
    used.next();
    expect(used.fork("x").next()).toBe(fresh);
    expect(createRandom(6).next()).not.toBe(createRandom(5).next());
  });
});

describe("generateCorpus", () => {
  it("is deterministic per seed and differs between seeds", () => {
    expect(snapshot(generateCorpus({ seed: 11 }))).toBe(snapshot(corpus));
    const some = { patterns: ["periodic-idle", "healthy"] };
    expect(snapshot(generateCorpus({ seed: 12, ...some }))).not.toBe(snapshot(generateCorpus({ seed: 11, ...some })));
  }, 120_000);

  it("covers every pattern of the field guides, each in every format that can express it", () => {
    const ids = new Set(corpus.map((scenario) => scenario.pattern));
    for (const id of [
      "periodic-idle",
      "periodic-sas",
      "periodic-jwt",
      "periodic-timer",
      "irregular-network",
      "keepalive-nat",
      "rate-limiting",
      "system-events",
      "takeover-ping-pong",
      "reconnect-storm",
      "steady-retry-no-backoff",
      "auth-never",
      "auth-intermittent",
      "auth-expired-token",
      "tls-failures",
      "client-id-rejected",
      "fleet-wide-server",
      "healthy",
      "nightly-restart",
      "azure-token-renewal",
      "noisy-delivery",
      "poisson-frequent",
      "slow-retries",
      "with-fleet-events",
      "device-side-only-quiet",
    ])
      expect(ids, id).toContain(id);
    for (const pattern of PATTERNS) expect(byPattern(pattern.id).map((scenario) => scenario.format)).toEqual(formatsOf(pattern));
    expect(new Set(corpus.map((scenario) => scenario.format))).toEqual(new Set(FORMATS));
    expect(formatsOf(PATTERNS.find((pattern) => pattern.id === "takeover-ping-pong") ?? PATTERNS[0]!)).toEqual([
      "aws-iot",
      "azure-iot-hub",
      "emqx",
      "mosquitto-2.0",
      "mosquitto-2.1",
      "hivemq",
    ]);
    expect(new Set(corpus.map((scenario) => scenario.id)).size).toBe(corpus.length);
  });

  it("gives every scenario a well-formed expectation and an input the loader could have built", () => {
    for (const scenario of corpus) {
      const { expected, input } = scenario;
      if (expected.kind === "finding") {
        expect(expected.accept.length, scenario.id).toBeGreaterThan(0);
        expect(scenario.group, scenario.id).not.toBe("benign");
      } else {
        expect(scenario.group === "benign" || scenario.group === "near-miss" || scenario.pattern === "fleet-wide-server", scenario.id).toBe(
          true,
        );
      }
      for (const matcher of expected.kind === "finding" ? expected.accept : (expected.banner ?? []))
        expect(matcher.analyzer, scenario.id).toMatch(/^[a-z-]+$/);
      expect(expected.description.length, scenario.id).toBeGreaterThan(5);
      expect(input.events.length, scenario.id).toBeGreaterThan(0);
      expect(new Set(input.events.map((event) => event.id)).size, scenario.id).toBe(input.events.length);
      for (const event of input.events) {
        expect(event.occurredAt.getTime(), scenario.id).toBeGreaterThanOrEqual(input.window.from.getTime());
        expect(event.occurredAt.getTime(), scenario.id).toBeLessThan(input.window.to.getTime());
      }
      expect(new Set(scenario.stored.map((event) => event.deviceId)), scenario.id).toEqual(new Set([input.deviceId]));
      expect(new Set(scenario.stored.map((event) => event.dedupeKey)).size, scenario.id).toBe(scenario.stored.length);
      expect(input.fleet?.devicesTotal, scenario.id).toBeGreaterThanOrEqual(40);
    }
  });

  it("keeps the benign controls free of fault events (only clean disconnects and the complete SAS renewal chain)", () => {
    const benign = corpus.filter((scenario) => scenario.group === "benign");
    expect(benign.length).toBeGreaterThan(5);
    for (const scenario of benign) {
      const events = [...scenario.input.events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
      expect(
        events.filter((event) => event.kind === "connect_failed"),
        scenario.id,
      ).toEqual([]);
      events.forEach((event, index) => {
        if (event.kind !== "disconnected" || event.reason === "client_disconnect") return;
        // Azure's renewal: 401003 then 404104 within a minute, then a connect less than 60 s after the 404104.
        const rest = events.slice(index + 1);
        const closed =
          event.code === "azure:401003"
            ? rest.find((next) => next.code === "azure:404104")
            : event.code === "azure:404104"
              ? event
              : undefined;
        const reconnect = closed && events.slice(events.indexOf(closed) + 1).find((next) => next.kind !== "device_report");
        expect(closed && closed.occurredAt.getTime() - event.occurredAt.getTime() < 60_000, `${scenario.id}: ${event.code}`).toBe(true);
        expect(
          reconnect?.kind === "connected" && reconnect.occurredAt.getTime() - (closed?.occurredAt.getTime() ?? 0) < 60_000,
          `${scenario.id}: ${event.code} reconnect`,
        ).toBe(true);
      });
      expect(scenario.input.fleet?.otherDevicesDropping.size ?? 0, scenario.id).toBeLessThanOrEqual(
        events.filter((event) => event.kind === "disconnected").length,
      );
    }
  });

  it("renders codes exactly as each adapter emits them", () => {
    const namespaces: Record<string, RegExp> = {
      "aws-iot": /^aws:/,
      "azure-iot-hub": /^azure:\d{6}$/,
      emqx: /^emqx:[a-z_]+$/,
      "mosquitto-2.0": /^mosquitto:/,
      "mosquitto-2.1": /^mosquitto:/,
      hivemq: /^hivemq:[A-Z_]+$/,
      "agent-mqtt3": /^(agent:|connack:\d)/,
      "agent-mqtt5": /^(agent:|connack:0$|mqtt5:0x[0-9A-F]{2}$)/,
      "device-report": /^(crt:\d+|connack:\d|mqtt5:0x[0-9A-F]{2}|libmosquitto:|clearblade:|gcp-iot:|device:)/,
    };
    for (const scenario of corpus) {
      const own = scenario.stored.filter((event) => (scenario.withAgent ? event.source !== "linkscope-agent" : true));
      for (const event of own) if (event.code !== null) expect(event.code, scenario.id).toMatch(namespaces[scenario.format] ?? /^$/);
    }
    const takeover = byPattern("takeover-ping-pong").find((scenario) => scenario.format === "emqx");
    expect(takeover?.stored.some((event) => event.code === "emqx:takenover" || event.code === "emqx:discarded")).toBe(true);
    const renewal = byPattern("azure-token-renewal")[0];
    expect(renewal?.stored.map((event) => event.code)).toEqual(expect.arrayContaining(["azure:401003", "azure:404104"]));
  });

  it("delivers noisy scenarios out of order and twice, and the writer's dedupe keys collapse the copies", () => {
    const noisy = generateCorpus({ seed: 3, patterns: ["noisy-delivery"] });
    expect(noisy.length).toBeGreaterThan(0);
    for (const scenario of noisy) {
      const times = scenario.input.events.map((event) => event.occurredAt.getTime());
      expect(
        times.some((time, index) => index > 0 && time < (times[index - 1] ?? 0)),
        scenario.id,
      ).toBe(true);
      // Same timeline without the noise: the same stored set.
      const steps = scenario.steps.filter((step) => step.type !== "system");
      expect(scenario.stored.length, scenario.id).toBe(steps.length);
    }
  });

  it("draws the parameters the patterns promise", () => {
    for (const scenario of byPattern("periodic-idle").filter((s) => s.format !== "device-report" && !s.format.startsWith("agent"))) {
      const period = median(uptimesOf(scenario.input.events));
      expect(period, scenario.id).toBeGreaterThan(19 * 60_000);
      expect(period, scenario.id).toBeLessThan(21 * 60_000);
    }
    for (const seed of [1, 2, 3]) {
      for (const scenario of generateCorpus({ seed, patterns: ["poisson-frequent"], formats: ["emqx", "aws-iot"] })) {
        const uptimes = uptimesOf(scenario.input.events);
        expect(uptimes.length, scenario.id).toBeGreaterThanOrEqual(15);
        const mean = uptimes.reduce((sum, value) => sum + value, 0) / uptimes.length;
        const sd = Math.sqrt(uptimes.reduce((sum, value) => sum + (value - mean) ** 2, 0) / uptimes.length);
        expect(sd / mean, scenario.id).toBeGreaterThan(0.5);
      }
    }
    const keepalive = byPattern("keepalive-nat");
    for (const scenario of keepalive)
      expect(scenario.input.events.find((event) => event.kind === "connected")?.keepaliveSec, scenario.id).toBeGreaterThan(60);
    const windows = new Set(
      Array.from({ length: 6 }, (_, seed) => generateCorpus({ seed, patterns: ["takeover-ping-pong"], formats: ["emqx"] })[0]?.window),
    );
    expect(windows.size).toBeGreaterThan(1);
  }, 120_000);
});
