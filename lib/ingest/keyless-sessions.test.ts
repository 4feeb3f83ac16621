import { describe, expect, it } from "vitest";
import { foldKeylessSessions, type KeylessEvent } from "./keyless-sessions.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute));
const event = (id: number, kind: KeylessEvent["kind"], minute: number): KeylessEvent => ({
  id: BigInt(id),
  deviceId: "d",
  kind,
  occurredAt: at(minute),
  reason: kind === "connected" ? "connected" : "connection_lost",
  code: null,
  clientIp: null,
  ordering: BigInt(id),
  dedupeKey: `k${id}`,
});

describe("foldKeylessSessions", () => {
  it("closes each session with the disconnect that follows its connect", () => {
    const sessions = foldKeylessSessions([
      event(1, "connected", 0),
      event(2, "disconnected", 5),
      event(3, "connected", 6),
      event(4, "disconnected", 9),
    ]);
    expect(sessions.map((s) => [s.sessionKey, s.endedAt, s.endInferred, s.endEventId])).toEqual([
      ["event:k1", at(5), false, 2n],
      ["event:k3", at(9), false, 4n],
    ]);
  });

  it("ends a session whose disconnect is missing where the next one begins, and leaves the last one open", () => {
    const sessions = foldKeylessSessions([event(1, "connected", 0), event(2, "connected", 3), event(3, "connect_failed", 4)]);
    expect(sessions.map((s) => [s.endedAt, s.endInferred, s.endReason])).toEqual([
      [at(3), true, "unknown"],
      [null, false, null],
    ]);
  });

  it("ignores a disconnect with no open session", () => {
    expect(foldKeylessSessions([event(1, "disconnected", 0)])).toEqual([]);
  });
});
