import { describe, expect, it } from "vitest";
import { computeWindow, DAY_MS, isLive } from "./device-range.ts";
import { resolveDeviceRange } from "./resolve-device-range.ts";

const now = new Date("2026-11-22T12:00:00Z");
const ms = (iso: string) => Date.parse(iso);

describe("resolveDeviceRange", () => {
  it("defaults to a rolling 24 h window", () => {
    expect(resolveDeviceRange({}, now)).toEqual({ mode: { kind: "rolling", spanMs: DAY_MS }, notice: null });
  });

  it("reads `from` alone as a live window up to now", () => {
    expect(resolveDeviceRange({ from: "2026-11-22T06:00:00Z" }, now).mode).toEqual({ kind: "since", fromMs: ms("2026-11-22T06:00:00Z") });
  });

  it("reads both as a fixed window, and `to` alone as the 24 h before it", () => {
    expect(resolveDeviceRange({ from: "2026-11-20T00:00:00Z", to: "2026-11-21T00:00:00+00:00" }, now).mode).toEqual({
      kind: "fixed",
      fromMs: ms("2026-11-20T00:00:00Z"),
      toMs: ms("2026-11-21T00:00:00Z"),
    });
    expect(resolveDeviceRange({ to: "1763683200000" }, now).mode).toEqual({
      kind: "fixed",
      fromMs: 1763683200000 - DAY_MS,
      toMs: 1763683200000,
    });
  });

  it("falls back with a notice on unreadable, reversed or too long ranges", () => {
    for (const params of [
      { from: "yesterday" },
      { from: "2026-11-22T10:00:00Z", to: "2026-11-22T09:00:00Z" },
      { from: "2026-01-01T00:00:00Z", to: "2026-11-01T00:00:00Z" },
      { from: "2026-11-23T00:00:00Z" },
    ]) {
      const resolved = resolveDeviceRange(params, now);
      expect(resolved.mode).toEqual({ kind: "rolling", spanMs: DAY_MS });
      expect(resolved.notice).toMatch(/showing the last 24 hours/);
    }
  });

  it("uses the first of repeated parameters", () => {
    expect(resolveDeviceRange({ from: ["2026-11-22T06:00:00Z", "junk"] }, now).mode.kind).toBe("since");
  });
});

describe("computeWindow and isLive", () => {
  it("computes the visible window for each mode", () => {
    const nowMs = now.getTime();
    expect(computeWindow({ kind: "rolling", spanMs: DAY_MS }, nowMs)).toEqual({ from: new Date(nowMs - DAY_MS), to: now });
    expect(computeWindow({ kind: "since", fromMs: nowMs - 1000 }, nowMs)).toEqual({ from: new Date(nowMs - 1000), to: now });
    expect(computeWindow({ kind: "fixed", fromMs: 1, toMs: 2 }, nowMs)).toEqual({ from: new Date(1), to: new Date(2) });
  });

  it("refreshes unless the window is fixed and already over", () => {
    const nowMs = now.getTime();
    expect(isLive({ kind: "rolling", spanMs: DAY_MS }, nowMs)).toBe(true);
    expect(isLive({ kind: "since", fromMs: 0 }, nowMs)).toBe(true);
    expect(isLive({ kind: "fixed", fromMs: 0, toMs: nowMs - 1 }, nowMs)).toBe(false);
    expect(isLive({ kind: "fixed", fromMs: 0, toMs: nowMs + 60_000 }, nowMs)).toBe(true);
  });
});
