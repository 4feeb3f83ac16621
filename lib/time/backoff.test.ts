import { describe, expect, it } from "vitest";
import { computeBackoffDelay } from "./backoff.ts";

const policy = { baseMs: 500, maxMs: 60_000 };

describe("computeBackoffDelay", () => {
  it("doubles per attempt between half and the full step", () => {
    expect(computeBackoffDelay(0, policy, () => 0)).toBe(250);
    expect(computeBackoffDelay(0, policy, () => 1)).toBe(500);
    expect(computeBackoffDelay(3, policy, () => 0)).toBe(2000);
    expect(computeBackoffDelay(3, policy, () => 1)).toBe(4000);
  });

  it("caps at maxMs however many attempts failed", () => {
    expect(computeBackoffDelay(30, policy, () => 1)).toBe(60_000);
    expect(computeBackoffDelay(1000, policy, () => 0)).toBe(30_000);
  });

  it("spreads retries: different random draws give different delays", () => {
    const delays = new Set([0.1, 0.5, 0.9].map((r) => computeBackoffDelay(4, policy, () => r)));
    expect(delays.size).toBe(3);
  });
});
