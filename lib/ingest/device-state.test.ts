import { describe, expect, it } from "vitest";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { foldDeviceState, type DeviceStateRow } from "./device-state.ts";

const emptyRow: DeviceStateRow = {
  id: "d1", state: "unknown", current_session_key: null, state_occurred_at: null, state_ordering: null,
  last_connected_at: null, last_disconnected_at: null, last_reason: null, last_code: null, last_client_ip: null,
};

function event(kind: ConnectionEvent["kind"], atMs: number, sessionKey: string | null, extra: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return {
    ...EVENT_DEFAULTS, deviceId: "d1", kind, occurredAt: new Date(atMs), reason: kind === "connected" ? "connected" : "connection_lost",
    initiator: "network", source: "test", sessionKey, dedupeKey: `test:${kind}:${atMs}:${sessionKey}`, raw: {}, ...extra,
  };
}

describe("foldDeviceState", () => {
  it("goes online on connect and offline on its disconnect, with counters and last reason", () => {
    const update = foldDeviceState(emptyRow, [event("connected", 1000, "s1", { clientIp: "10.0.0.4" }), event("disconnected", 2000, "s1", { code: "emqx:tcp_closed" })]);
    expect(update).toMatchObject({ state: "offline", connects: 1, disconnects: 1, failed: 0, lastReason: "connection_lost", lastCode: "emqx:tcp_closed", lastClientIp: "10.0.0.4", currentSessionKey: null });
  });

  it("stays online when the loser of a takeover reports its disconnect after the new connect", () => {
    const update = foldDeviceState(emptyRow, [
      event("connected", 1000, "s1"),
      event("connected", 2000, "s2"),
      event("disconnected", 2001, "s1", { reason: "session_taken_over" }),
    ]);
    expect(update.state).toBe("online");
    expect(update.currentSessionKey).toBe("s2");
    expect(update.lastReason).toBe("session_taken_over");
  });

  it("ignores an older event that arrives after a newer one (arrival order is not trusted)", () => {
    const online: DeviceStateRow = { ...emptyRow, state: "online", current_session_key: "s2", state_occurred_at: new Date(5000) };
    const update = foldDeviceState(online, [event("disconnected", 3000, null)]);
    expect(update.state).toBe("online");
    expect(update.disconnects).toBe(1);
  });

  it("prefers the source ordering key over timestamps when both sides have one", () => {
    const online: DeviceStateRow = { ...emptyRow, state: "online", current_session_key: null, state_occurred_at: new Date(5000), state_ordering: 7n };
    const update = foldDeviceState(online, [event("disconnected", 4000, null, { ordering: 8n })]);
    expect(update.state).toBe("offline");
    expect(update.stateOrdering).toBe(8n);
  });

  it("does not flip an online device offline on a refused connect (another client with its ID)", () => {
    const online: DeviceStateRow = { ...emptyRow, state: "online", current_session_key: "s1", state_occurred_at: new Date(1000) };
    const update = foldDeviceState(online, [event("connect_failed", 2000, null, { reason: "auth_failed", code: "emqx:not_authorized" })]);
    expect(update).toMatchObject({ state: "online", failed: 1, lastReason: "auth_failed" });
  });

  it("marks a never-seen device offline when its first event is a refused connect", () => {
    expect(foldDeviceState(emptyRow, [event("connect_failed", 2000, null, { reason: "auth_failed" })]).state).toBe("offline");
  });
});
