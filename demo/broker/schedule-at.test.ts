import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { scheduleAt } from "@/demo/broker/schedule-at";

describe("scheduleAt", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires when the clock reaches the deadline, not before", () => {
    const action = vi.fn();
    scheduleAt(1_000, Date.now, action);
    vi.advanceTimersByTime(999);
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(action).toHaveBeenCalledOnce();
  });

  it("fires asynchronously when the deadline has already passed", () => {
    vi.setSystemTime(5_000);
    const action = vi.fn();
    scheduleAt(1_000, Date.now, action);
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(action).toHaveBeenCalledOnce();
  });

  it("waits past the 24.8-day setTimeout limit instead of firing at once", () => {
    const action = vi.fn();
    const thirtyDays = 30 * 24 * 3_600_000;
    scheduleAt(thirtyDays, Date.now, action);
    vi.advanceTimersByTime(2_147_483_647);
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDays - 2_147_483_647);
    expect(action).toHaveBeenCalledOnce();
  });

  it("does nothing once cancelled", () => {
    const action = vi.fn();
    const cancel = scheduleAt(1_000, Date.now, action);
    cancel();
    vi.advanceTimersByTime(2_000);
    expect(action).not.toHaveBeenCalled();
  });
});
