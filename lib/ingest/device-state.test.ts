import { describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { foldDeviceState, type DeviceStateRow } from "./device-state.ts";

const emptyRow: DeviceStateRow = {
  id: "d1",
  state: "unknown",
  current_session_key: null,
  state_occurred_at: null,
  state_ordering: null,
  last_connected_at: null,
  last_disconnected_at: null,
  last_reason: null,
  last_code: null,
  last_client_ip: null,
};

function event(
  kind: ConnectionEvent["kind"],
  atMs: number,
  sessionKey: string | null,
  extra: Partial<ConnectionEvent> = {},
): ConnectionEvent {
  return makeConnectionEvent({ deviceId: "d1", kind, occurredAt: new Date(atMs), initiator: "network", sessionKey, ...extra });
}

describe("foldDeviceState", () => {
  it("goes online on connect and offline on its disconnect, with counters and last reason", () => {
    const update = foldDeviceState(emptyRow, [
      event("connected", 1000, "s1", { clientIp: "10.0.0.4" }),
      event("disconnected", 2000, "s1", { code: "emqx:tcp_closed" }),
    ]);
    expect(update).toMatchObject({
      state: "offline",
      connects: 1,
      disconnects: 1,
      failed: 0,
      lastReason: "connection_lost",
      lastCode: "emqx:tcp_closed",
      lastClientIp: "10.0.0.4",
      currentSessionKey: null,
    });
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
    const online: DeviceStateRow = {
      ...emptyRow,
      state: "online",
      current_session_key: null,
      state_occurred_at: new Date(5000),
      state_ordering: 7n,
    };
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

describe("foldDeviceState: connected-devices gauge", () => {
  const on = (atMs: number, key: string, brokerNode: string | null = "n1") => event("connected", atMs, key, { brokerNode });
  const off = (atMs: number, key: string | null, brokerNode: string | null = "n1") => event("disconnected", atMs, key, { brokerNode });

  it("counts +1 into online and −1 out of it, at the change's time, under the connect's source and node", () => {
    const update = foldDeviceState(emptyRow, [on(1000, "s1"), off(2000, "s1"), on(3000, "s2", null)]);
    expect(update.gaugeChanges).toEqual([
      { source: "test", brokerNode: "n1", at: new Date(1000), delta: 1 },
      { source: "test", brokerNode: "n1", at: new Date(2000), delta: -1 },
      { source: "test", brokerNode: "", at: new Date(3000), delta: 1 },
    ]);
    expect(update.connectedVia).toEqual({ source: "test", brokerNode: "" });
  });

  it("takes the −1 from where the device was counted, even when another node reports the disconnect", () => {
    const online: DeviceStateRow = {
      ...emptyRow,
      state: "online",
      current_session_key: "s1",
      state_occurred_at: new Date(1000),
      connected_source: "test",
      connected_broker_node: "n1",
    };
    const update = foldDeviceState(online, [off(2000, "s1", "n2")]);
    expect(update.gaugeChanges).toEqual([{ source: "test", brokerNode: "n1", at: new Date(2000), delta: -1 }]);
    expect(update.connectedVia).toBeNull();
  });

  it("moves a device taken over on another node (−1 old node, +1 new) and ignores the loser's late disconnect", () => {
    const update = foldDeviceState(emptyRow, [on(1000, "s1", "n1"), on(2000, "s2", "n2"), off(2001, "s1", "n1")]);
    expect(update.gaugeChanges.map((c) => [c.brokerNode, c.delta])).toEqual([
      ["n1", 1],
      ["n1", -1],
      ["n2", 1],
    ]);
    expect(update.connectedVia).toEqual({ source: "test", brokerNode: "n2" });
  });

  it("changes nothing for a reconnect on the same node, an ignored stale event or a refused connect", () => {
    const online: DeviceStateRow = {
      ...emptyRow,
      state: "online",
      current_session_key: "s2",
      state_occurred_at: new Date(5000),
      connected_source: "test",
      connected_broker_node: "n1",
    };
    expect(foldDeviceState(online, [on(6000, "s3"), off(3000, null), event("connect_failed", 7000, null)]).gaugeChanges).toEqual([]);
  });

  it("never dates a change before the state it replaces (ordering keys may disagree with clocks)", () => {
    const row: DeviceStateRow = {
      ...emptyRow,
      state: "online",
      current_session_key: "s1",
      state_occurred_at: new Date(5000),
      state_ordering: 10n,
      connected_source: "test",
      connected_broker_node: "n1",
    };
    const update = foldDeviceState(row, [event("disconnected", 4000, "s1", { ordering: 11n, brokerNode: "n1" })]);
    expect(update.gaugeChanges).toEqual([{ source: "test", brokerNode: "n1", at: new Date(5000), delta: -1 }]);
  });
});

describe("foldDeviceState: a state dated ahead of every clock", () => {
  const now = Date.UTC(2026, 11, 5, 12);
  const year = 365 * 86_400_000;

  it("lets the next real event replace a state a wrong clock dated a year ahead", () => {
    // A broker or an import with the wrong year stored a disconnect a year ahead: the device would read offline until then.
    const stuck = foldDeviceState(emptyRow, [event("connected", now - 60_000, null), event("disconnected", now + year, null)], now);
    expect(stuck.state).toBe("offline");
    const row: DeviceStateRow = {
      ...emptyRow,
      state: stuck.state,
      state_occurred_at: stuck.stateOccurredAt,
      last_connected_at: stuck.lastConnectedAt,
      last_disconnected_at: stuck.lastDisconnectedAt,
    };
    const update = foldDeviceState(row, [event("connected", now + 5_000, null, { source: "emqx", brokerNode: "n1" })], now);
    expect(update.state).toBe("online");
    expect(update.stateOccurredAt).toEqual(new Date(now + 5_000));
    expect(update.gaugeChanges).toEqual([{ source: "emqx", brokerNode: "n1", at: new Date(now + 5_000), delta: 1 }]);
  });

  it("keeps the order among events that are all ahead (a replayed capture dated next year)", () => {
    const update = foldDeviceState(emptyRow, [event("connected", now + year, null), event("disconnected", now + year + 60_000, null)], now);
    const late = foldDeviceState(
      { ...emptyRow, state: update.state, state_occurred_at: update.stateOccurredAt },
      [event("connected", now + year + 30_000, null)],
      now,
    );
    expect(late.state).toBe("offline");
  });
});
