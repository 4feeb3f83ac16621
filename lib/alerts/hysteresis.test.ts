import { describe, expect, it } from "vitest";
import { stepHysteresis, type HysteresisRule, type HysteresisState } from "./hysteresis.ts";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const SECOND = 1_000;

/** Feeds `values`, one every `stepMs`, and returns the transitions in order. */
function run(rule: HysteresisRule, values: number[], stepMs = 15 * SECOND): { transitions: string[]; state: HysteresisState | null } {
  let state: HysteresisState | null = null;
  const transitions: string[] = [];
  values.forEach((value, i) => {
    const step = stepHysteresis(state, value, new Date(T0 + i * stepMs), rule);
    state = step.state;
    if (step.transition) transitions.push(`${step.transition}@${i}`);
  });
  return { transitions, state };
}

const BELOW_10: HysteresisRule = { direction: "below", threshold: 10, clearMargin: 2, forMs: 30 * SECOND, clearForMs: 30 * SECOND };
const ABOVE_5: HysteresisRule = { direction: "above", threshold: 5, clearMargin: 1, forMs: 0, clearForMs: 60 * SECOND };

describe("stepHysteresis", () => {
  it("goes pending when the condition first holds and fires only after it held for the for-duration", () => {
    const { transitions, state } = run(BELOW_10, [12, 8, 8, 8, 8]);
    expect(transitions).toEqual(["fired@3"]);
    expect(state?.status).toBe("firing");
    expect(state?.since).toEqual(new Date(T0 + 3 * 15 * SECOND));
  });

  it("drops back to ok, without firing, when the condition stops holding while pending", () => {
    expect(run(BELOW_10, [8, 8, 11, 8, 8, 11, 8]).transitions).toEqual([]);
    const pending = stepHysteresis(null, 8, new Date(T0), BELOW_10);
    expect(pending).toEqual({ state: { status: "pending", since: new Date(T0), clearingSince: null }, transition: null });
    expect(stepHysteresis(pending.state, 10, new Date(T0 + SECOND), BELOW_10).state.status).toBe("ok");
  });

  it("fires at once with a zero for-duration", () => {
    expect(run(ABOVE_5, [3, 6]).transitions).toEqual(["fired@1"]);
  });

  it("keeps firing while the value is back over the threshold but not past the clear threshold", () => {
    // Below 10 fires; 10 and 11 are no longer breaching but short of the clear threshold 12.
    expect(run(BELOW_10, [8, 8, 8, 10, 11, 11, 11, 11, 11, 11]).transitions).toEqual(["fired@2"]);
  });

  it("resolves only after the value stayed past the clear threshold for the clear-for duration", () => {
    const { transitions, state } = run(BELOW_10, [8, 8, 8, 12, 13, 12]);
    expect(transitions).toEqual(["fired@2", "resolved@5"]);
    expect(state?.status).toBe("ok");
  });

  it("restarts the clear-for timer when the value falls back inside the margin", () => {
    expect(run(BELOW_10, [8, 8, 8, 12, 12, 11, 12, 12, 12]).transitions).toEqual(["fired@2", "resolved@8"]);
  });

  it("fires once and resolves once for a metric oscillating around the threshold", () => {
    const oscillating = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 6 : 4.5));
    // Breaching every other sample with no for-duration: fires on the first 6, then 4.5 never reaches the clear threshold 4.
    const { transitions } = run(ABOVE_5, [...oscillating, 3, 3, 3, 3, 3, 6, 4.5, 6]);
    expect(transitions).toEqual(["fired@0", "resolved@44", "fired@45"]);
    expect(transitions.filter((t) => t.startsWith("fired")).length).toBe(2);
  });

  it("never fires for a metric that flips across the threshold faster than the for-duration", () => {
    const flipping = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 9 : 10.5));
    expect(run(BELOW_10, flipping).transitions).toEqual([]);
  });

  it("a zero clear margin and clear-for resolves on the first value past the threshold", () => {
    const rule: HysteresisRule = { direction: "above", threshold: 5, clearMargin: 0, forMs: 0, clearForMs: 0 };
    expect(run(rule, [6, 5, 6]).transitions).toEqual(["fired@0", "resolved@1", "fired@2"]);
  });
});
