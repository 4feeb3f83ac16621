import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { computeReconnectDelay, createCoalescer } from "./live-coalescer.ts";

describe("createCoalescer", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("runs the first trigger after a quiet period at once", () => {
    const run = vi.fn();
    const coalescer = createCoalescer(run, 1000);
    coalescer.trigger();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    coalescer.trigger();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("runs a burst at most once per interval and never loses its last trigger", () => {
    const run = vi.fn();
    const coalescer = createCoalescer(run, 1000);
    coalescer.trigger(); // t=0: runs
    for (let t = 100; t < 2500; t += 100) {
      vi.advanceTimersByTime(100);
      coalescer.trigger();
    }
    vi.advanceTimersToNextTimer();
    // Runs at 0, 1000, 2000, and once more for the triggers after 2000.
    expect(run).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(10_000);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it("waits only for the rest of the interval", () => {
    const run = vi.fn();
    const coalescer = createCoalescer(run, 1000);
    coalescer.trigger();
    vi.advanceTimersByTime(700);
    coalescer.trigger();
    vi.advanceTimersByTime(299);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("cancel drops a pending run", () => {
    const run = vi.fn();
    const coalescer = createCoalescer(run, 1000);
    coalescer.trigger();
    coalescer.trigger();
    coalescer.cancel();
    vi.advanceTimersByTime(5000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe("computeReconnectDelay", () => {
  it("doubles from 1 s up to 30 s, with jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => computeReconnectDelay(attempt, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(computeReconnectDelay(0, () => 0)).toBe(800);
    expect(computeReconnectDelay(0, () => 1)).toBe(1200);
  });
});
