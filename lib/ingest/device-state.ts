import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { DAY_MS } from "@/lib/time/durations.ts";

/**
 * How far ahead of the writer's clock a state may be dated and still be believed. Events years ahead are stored
 * (replayed captures, a broker or import with the wrong year; only ten years is refused, future-events.ts), but a state
 * dated there would outrank every real event after it and hold the device in it until that date.
 */
export const MAX_STATE_LEAD_MS = DAY_MS;

/** A device row as read inside the writer's transaction (enums as text). */
export type DeviceStateRow = {
  id: string;
  state: string;
  current_session_key: string | null;
  state_occurred_at: Date | null;
  state_ordering: bigint | null;
  last_connected_at: Date | null;
  last_disconnected_at: Date | null;
  last_reason: string | null;
  last_code: string | null;
  last_client_ip: string | null;
  /** Where the device is counted in the connected gauge (fleet_connected_devices); null when not counted. */
  connected_source?: string | null;
  connected_broker_node?: string | null;
  /** The lifecycle feeds that have reported the device (decision 080). */
  feeds?: string[] | null;
};

/** Where an online device is counted in the connected-devices gauge: the source and broker node of its connect. */
export type GaugeScope = { source: string; brokerNode: string };

/** A change of the connected-devices gauge: +1 into online, −1 out of it, at the state change's time. */
export type GaugeChange = GaugeScope & { at: Date; delta: 1 | -1 };

export type DeviceStateUpdate = {
  id: string;
  state: "online" | "offline" | "unknown";
  currentSessionKey: string | null;
  stateOccurredAt: Date | null;
  stateOrdering: bigint | null;
  lastConnectedAt: Date | null;
  lastDisconnectedAt: Date | null;
  lastReason: string | null;
  lastCode: string | null;
  lastClientIp: string | null;
  connects: number;
  disconnects: number;
  failed: number;
  /** Where the device is counted after the fold (null unless online), and the gauge changes on the way there. */
  connectedVia: GaugeScope | null;
  gaugeChanges: GaugeChange[];
};

/**
 * Folds newly stored events (sorted by compareEvents) into a device's current state. The state follows the
 * highest ordering key (or time), never arrival order, and a disconnect of a connection that is no longer the
 * current one (the loser of a takeover, a late duplicate) does not mark the device offline.
 */
export function foldDeviceState(row: DeviceStateRow, events: ReadonlyArray<ConnectionEvent>, nowMs = Date.now()): DeviceStateUpdate {
  const next: DeviceStateUpdate = {
    id: row.id,
    state: toState(row.state),
    currentSessionKey: row.current_session_key,
    stateOccurredAt: row.state_occurred_at,
    stateOrdering: row.state_ordering,
    lastConnectedAt: row.last_connected_at,
    lastDisconnectedAt: row.last_disconnected_at,
    lastReason: row.last_reason,
    lastCode: row.last_code,
    lastClientIp: row.last_client_ip,
    connects: 0,
    disconnects: 0,
    failed: 0,
    connectedVia: row.state === "online" ? scopeOfRow(row) : null,
    gaugeChanges: [],
  };
  let lastProblemAt = row.last_disconnected_at;

  for (const event of events) {
    const at = event.occurredAt;
    if (event.kind === "connected") {
      next.connects += 1;
      next.lastConnectedAt = later(next.lastConnectedAt, at);
      if (isNewer(next, event, nowMs)) {
        moveGauge(next, scopeOf(event), changeTime(next, event, nowMs));
        next.state = "online";
        next.currentSessionKey = event.sessionKey;
        next.lastClientIp = event.clientIp ?? next.lastClientIp;
        advance(next, event);
      }
    } else if (event.kind === "disconnected") {
      next.disconnects += 1;
      next.lastDisconnectedAt = later(next.lastDisconnectedAt, at);
      const belongsToCurrent = event.sessionKey === null || next.currentSessionKey === null || event.sessionKey === next.currentSessionKey;
      if (isNewer(next, event, nowMs) && belongsToCurrent) {
        moveGauge(next, null, changeTime(next, event, nowMs), scopeOf(event));
        next.state = "offline";
        next.currentSessionKey = null;
        advance(next, event);
      }
    } else if (event.kind === "connect_failed") {
      next.failed += 1;
      if (next.state === "unknown" && isNewer(next, event, nowMs)) {
        next.state = "offline";
        advance(next, event);
      }
    }
    if ((event.kind === "disconnected" || event.kind === "connect_failed") && (lastProblemAt === null || at >= lastProblemAt)) {
      lastProblemAt = at;
      next.lastReason = event.reason;
      next.lastCode = event.code;
    }
  }
  return next;
}

/**
 * Keeps the gauge in step with the state: counted under `to` (or not at all when null). A connect reported by
 * another node than the one the device is counted under moves it there (−1 old, +1 new) so per-node sums hold.
 */
function moveGauge(state: DeviceStateUpdate, to: GaugeScope | null, at: Date, fallback?: GaugeScope): void {
  const from = state.state === "online" ? (state.connectedVia ?? fallback ?? to) : null;
  state.connectedVia = to;
  if (from && to && from.source === to.source && from.brokerNode === to.brokerNode) return;
  if (from) state.gaugeChanges.push({ ...from, at, delta: -1 });
  if (to) state.gaugeChanges.push({ ...to, at, delta: 1 });
}

/** Ordering keys may put a change before the previous one in time; the gauge never goes back in time per device. */
function changeTime(state: DeviceStateUpdate, event: ConnectionEvent, nowMs: number): Date {
  const believed = state.stateOccurredAt !== null && !isAhead(state.stateOccurredAt, nowMs);
  return believed && state.stateOccurredAt !== null && state.stateOccurredAt > event.occurredAt ? state.stateOccurredAt : event.occurredAt;
}

function isAhead(at: Date, nowMs: number): boolean {
  return at.getTime() > nowMs + MAX_STATE_LEAD_MS;
}

function scopeOf(event: ConnectionEvent): GaugeScope {
  return { source: event.source, brokerNode: event.brokerNode ?? "" };
}

function scopeOfRow(row: DeviceStateRow): GaugeScope | null {
  return row.connected_source == null ? null : { source: row.connected_source, brokerNode: row.connected_broker_node ?? "" };
}

function isNewer(state: DeviceStateUpdate, event: ConnectionEvent, nowMs: number): boolean {
  if (state.stateOccurredAt === null) return true;
  // A state dated beyond any believable clock gives way to the first event that is not.
  if (isAhead(state.stateOccurredAt, nowMs) && !isAhead(event.occurredAt, nowMs)) return true;
  if (event.ordering !== null && state.stateOrdering !== null) return event.ordering > state.stateOrdering;
  return event.occurredAt.getTime() >= state.stateOccurredAt.getTime();
}

function advance(state: DeviceStateUpdate, event: ConnectionEvent): void {
  state.stateOccurredAt = event.occurredAt;
  state.stateOrdering = event.ordering ?? state.stateOrdering;
}

function later(a: Date | null, b: Date): Date {
  return a === null || b > a ? b : a;
}

function toState(value: string): DeviceStateUpdate["state"] {
  return value === "online" || value === "offline" ? value : "unknown";
}
