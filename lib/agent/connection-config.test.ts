import { describe, expect, it } from "vitest";
import {
  computeBackoffStep,
  computeReconnectDelay,
  HARDENED_CONNECTION_CONFIG,
  isDeepAttempt,
  resolveConnectionConfig,
} from "./connection-config.ts";

describe("hardened connection config", () => {
  it("defaults to the field guide's recommended settings", () => {
    expect(HARDENED_CONNECTION_CONFIG).toMatchObject({
      keepaliveSec: 60,
      initialReconnectDelayMs: 500,
      maxReconnectDelayMs: 60_000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 200,
    });
  });

  it("lets every setting be overridden and rejects contradictions", () => {
    expect(resolveConnectionConfig({ keepaliveSec: 30, maxQueuedCommands: 5 })).toMatchObject({
      keepaliveSec: 30,
      maxQueuedCommands: 5,
      initialReconnectDelayMs: 500,
    });
    expect(() => resolveConnectionConfig({ initialReconnectDelayMs: 5_000, maxReconnectDelayMs: 1_000 })).toThrow(/below/);
    expect(() => resolveConnectionConfig({ keepaliveSec: -1 })).toThrow();
  });

  it("doubles from 0.5 s up to the 60 s cap", () => {
    const steps = Array.from({ length: 10 }, (_, i) => computeBackoffStep(i + 1, HARDENED_CONNECTION_CONFIG));
    expect(steps).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(computeBackoffStep(10_000, HARDENED_CONNECTION_CONFIG)).toBe(60_000);
  });

  it("jitters within ±jitterRatio and never above the cap", () => {
    expect(computeReconnectDelay(1, HARDENED_CONNECTION_CONFIG, () => 0)).toBe(400);
    expect(computeReconnectDelay(1, HARDENED_CONNECTION_CONFIG, () => 0.5)).toBe(500);
    expect(computeReconnectDelay(1, HARDENED_CONNECTION_CONFIG, () => 0.999)).toBe(600);
    expect(computeReconnectDelay(9, HARDENED_CONNECTION_CONFIG, () => 0.999)).toBe(60_000);
    expect(computeReconnectDelay(3, { ...HARDENED_CONNECTION_CONFIG, jitterRatio: 0 }, () => 0.9)).toBe(2_000);
  });

  it("makes attempts after the threshold deep", () => {
    expect([1, 5, 6, 7].map((a) => isDeepAttempt(a, HARDENED_CONNECTION_CONFIG))).toEqual([false, false, true, true]);
  });
});
