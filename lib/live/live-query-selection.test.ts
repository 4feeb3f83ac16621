import { describe, expect, it } from "vitest";
import {
  addChange,
  createPendingChanges,
  everythingChanged,
  isAffectedByChanges,
  isOlderThanSnapshot,
  liveDeviceMeta,
  liveFleetMeta,
} from "./live-query-selection.ts";

const change = (devices: string[], truncated = false) => ({ latestEventId: "9", latestReceivedAt: null, devices, truncated });

describe("which queries a change refetches", () => {
  it("refetches fleet queries on any change and device queries only for their device", () => {
    const pending = addChange(createPendingChanges(), change(["meter-1", "gw/2#"]));
    expect(isAffectedByChanges(liveFleetMeta, pending)).toBe(true);
    expect(isAffectedByChanges(liveDeviceMeta("gw/2#"), pending)).toBe(true);
    expect(isAffectedByChanges(liveDeviceMeta("meter-2"), pending)).toBe(false);
    expect(isAffectedByChanges(undefined, pending)).toBe(false);
    expect(isAffectedByChanges({ other: true }, pending)).toBe(false);
  });

  it("refetches nothing for the snapshot message that carries no devices", () => {
    const pending = addChange(createPendingChanges(), change([]));
    expect(isAffectedByChanges(liveFleetMeta, pending)).toBe(false);
    expect(isAffectedByChanges(liveDeviceMeta("meter-1"), pending)).toBe(false);
  });

  it("refetches every device query when the list was truncated, and stays so until flushed", () => {
    let pending = addChange(createPendingChanges(), change(["a"], true));
    pending = addChange(pending, change(["b"]));
    expect(pending.devices).toBe("all");
    expect(isAffectedByChanges(liveDeviceMeta("zzz"), pending)).toBe(true);
    expect(isAffectedByChanges(liveDeviceMeta("zzz"), everythingChanged())).toBe(true);
  });

  it("accumulates devices from several messages without mutating the earlier set", () => {
    const first = addChange(createPendingChanges(), change(["a"]));
    const second = addChange(first, change(["b"]));
    expect(isAffectedByChanges(liveDeviceMeta("b"), first)).toBe(false);
    expect(isAffectedByChanges(liveDeviceMeta("a"), second)).toBe(true);
    expect(isAffectedByChanges(liveDeviceMeta("b"), second)).toBe(true);
  });
});

describe("isOlderThanSnapshot", () => {
  const received = "2026-11-22T12:00:00.500Z";
  it("refetches live queries whose data predates the newest event", () => {
    expect(isOlderThanSnapshot(liveFleetMeta, Date.parse("2026-11-22T12:00:00.400Z"), received)).toBe(true);
    expect(isOlderThanSnapshot(liveDeviceMeta("a"), Date.parse("2026-11-22T12:00:00.600Z"), received)).toBe(false);
  });
  it("leaves queries without live meta and empty databases alone", () => {
    expect(isOlderThanSnapshot(undefined, 0, received)).toBe(false);
    expect(isOlderThanSnapshot(liveFleetMeta, 0, null)).toBe(false);
  });
});
