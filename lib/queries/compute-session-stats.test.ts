import { describe, expect, it } from "vitest";
import type { EventKind, Reason } from "@/lib/events/connection-event.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { computeSessionStats, countDeviceEvents, countDropsAndFailures, type SessionLike } from "./compute-session-stats.ts";

const T0 = Date.parse("2026-11-22T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const MIN = 60_000;

const range = { from: at(0), to: at(600), now: at(600), failedConnects: 0 };

describe("computeSessionStats", () => {
  it("returns empty statistics without sessions", () => {
    expect(computeSessionStats([], range)).toEqual({
      connections: 0,
      disconnects: 0,
      drops: 0,
      failedConnects: 0,
      minSessionMs: null,
      avgSessionMs: null,
      maxSessionMs: null,
      currentUptimeMs: null,
      currentDowntimeMs: 600 * MIN,
      currentDowntimeAtLeast: true,
      reconnects: 0,
      avgReconnectMs: null,
      maxReconnectMs: null,
      connectedRatio: 0,
    });
  });

  it("computes durations, drops, reconnect gaps and uptime for a device that dropped twice", () => {
    const sessions: SessionLike[] = [
      { startedAt: at(0), endedAt: at(100), endReason: "keepalive_timeout" },
      { startedAt: at(102), endedAt: at(300), endReason: "client_disconnect" },
      { startedAt: at(310), endedAt: at(340), endReason: "connection_lost" },
      { startedAt: at(341), endedAt: null, endReason: null },
    ];
    const stats = computeSessionStats(sessions, { ...range, failedConnects: 3 });
    expect(stats.connections).toBe(4);
    expect(stats.disconnects).toBe(3);
    expect(stats.drops).toBe(2);
    expect(stats.failedConnects).toBe(3);
    expect(stats.minSessionMs).toBe(30 * MIN);
    expect(stats.maxSessionMs).toBe(198 * MIN);
    expect(stats.avgSessionMs).toBe(Math.round(((100 + 198 + 30) * MIN) / 3));
    expect(stats.reconnects).toBe(3);
    expect(stats.avgReconnectMs).toBe(Math.round(((2 + 10 + 1) * MIN) / 3));
    expect(stats.maxReconnectMs).toBe(10 * MIN);
    expect(stats.currentUptimeMs).toBe(259 * MIN);
    expect(stats.currentDowntimeMs).toBeNull();
    expect(stats.connectedRatio).toBeCloseTo((600 - 2 - 10 - 1) / 600, 10);
  });

  it("accepts ISO strings as returned by the API", () => {
    const stats = computeSessionStats(
      [{ startedAt: at(10).toISOString(), endedAt: at(70).toISOString(), endReason: "idle_timeout" }],
      range,
    );
    expect(stats.maxSessionMs).toBe(60 * MIN);
    expect(stats.currentDowntimeMs).toBe(530 * MIN);
    expect(stats.currentUptimeMs).toBeNull();
  });

  it("counts a session that began before the range by its whole duration but not as a connection", () => {
    const stats = computeSessionStats([{ startedAt: at(-60), endedAt: at(30), endReason: "server_shutdown" }], range);
    expect(stats.connections).toBe(0);
    expect(stats.disconnects).toBe(1);
    expect(stats.maxSessionMs).toBe(90 * MIN);
    expect(stats.connectedRatio).toBeCloseTo(30 / 600, 10);
  });

  it("ignores ends after the range and treats a takeover overlap as an immediate reconnect", () => {
    const stats = computeSessionStats(
      [
        { startedAt: at(0), endedAt: at(50), endReason: "session_taken_over" },
        { startedAt: at(49), endedAt: at(700), endReason: "connection_lost" },
      ],
      range,
    );
    expect(stats.disconnects).toBe(1);
    expect(stats.reconnects).toBe(1);
    expect(stats.maxReconnectMs).toBe(0);
    expect(stats.connectedRatio).toBe(1);
  });

  it("does not count a disconnect with no later session as a reconnect", () => {
    const stats = computeSessionStats([{ startedAt: at(0), endedAt: at(10), endReason: "auth_failed" }], range);
    expect(stats.reconnects).toBe(0);
    expect(stats.avgReconnectMs).toBeNull();
    expect(stats.drops).toBe(1);
  });

  it("says how long a device is offline only from a range that reaches now", () => {
    const ended: SessionLike[] = [{ startedAt: at(0), endedAt: at(100), endReason: "connection_lost" }];
    const live = computeSessionStats(ended, range);
    expect([live.currentDowntimeMs, live.currentDowntimeAtLeast]).toEqual([500 * MIN, false]);
    // A week later the device may have connected again after the range: its sessions since are not in this list.
    const past = computeSessionStats(ended, { ...range, now: at(7 * 24 * 60) });
    expect([past.currentDowntimeMs, past.currentUptimeMs]).toEqual([null, null]);
    // An open session is open now, whatever the range.
    const open = computeSessionStats([{ startedAt: at(0), endedAt: null, endReason: null }], { ...range, now: at(7 * 24 * 60) });
    expect(open.currentUptimeMs).toBe(7 * 24 * 60 * MIN);
  });

  it("limits coverage to now when the range extends into the future", () => {
    const stats = computeSessionStats([{ startedAt: at(0), endedAt: null, endReason: null }], {
      ...range,
      now: at(300),
    });
    expect(stats.connectedRatio).toBe(1);
    expect(stats.currentUptimeMs).toBe(300 * MIN);
  });
});

describe("countDropsAndFailures", () => {
  const at = (minute: number, second = 0, ms = 0) => new Date(Date.UTC(2026, 10, 1, 0, minute, second, ms));
  let id = 0;
  const event = (kind: EventKind, reason: Reason, code: string | null, occurredAt: Date, feed: string | null = null) => ({
    id: String((id += 1)),
    kind,
    reason,
    code,
    occurredAt,
    source: feed?.split(":")[0] ?? "test",
    feed,
  });
  it("counts one Azure SAS renewal (401003 then 404104) as one drop and no failed connect", () => {
    const disconnectFirst = [
      event("disconnected", "credential_expired", "azure:401003", at(65)),
      event("disconnected", "connection_lost", "azure:404104", at(65, 2)),
      event("connected", "connected", null, at(65, 6)),
    ];
    const refusalFirst = [
      event("connect_failed", "credential_expired", "azure:401003", at(65)),
      event("disconnected", "connection_lost", "azure:404104", at(65, 2)),
      event("connected", "connected", null, at(65, 6)),
    ];
    expect(countDropsAndFailures(disconnectFirst)).toEqual({ drops: 1, failedConnects: 0 });
    expect(countDropsAndFailures(refusalFirst)).toEqual({ drops: 1, failedConnects: 0 });
  });

  it("still counts separate drops and real refusals", () => {
    const events = [
      event("disconnected", "connection_lost", null, at(1)),
      event("connected", "connected", null, at(1, 5)),
      event("disconnected", "connection_lost", null, at(1, 30)),
      event("connect_failed", "credential_expired", "azure:401003", at(10)),
      event("connect_failed", "auth_failed", "connack:4", at(11)),
    ];
    expect(countDropsAndFailures(events)).toEqual({ drops: 2, failedConnects: 2 });
  });

  it("counts a platform fed twice (AWS's lifecycle topic and CloudWatch) once, and one feed's quick retries each", () => {
    const refusals = [0, 400, 800].flatMap((ms) => [
      event("connect_failed", "not_authorized", "aws:AUTHORIZATION_FAILED", at(3, 0, ms), FEEDS.awsPresence),
      event("connect_failed", "auth_failed", "aws:AUTHORIZATION_FAILURE", at(3, 0, ms + 120), FEEDS.awsCloudWatch),
    ]);
    const lives = [FEEDS.awsPresence, FEEDS.awsCloudWatch].flatMap((feed, n) => [
      event("connected", "connected", null, at(1, 0, n * 90), feed),
      event("disconnected", "connection_lost", "aws:CONNECTION_LOST", at(2, 0, n * 90), feed),
      event("connected", "connected", null, at(4, 0, n * 90), feed),
    ]);
    expect(countDropsAndFailures([...refusals, ...lives])).toEqual({ drops: 1, failedConnects: 3 });
    expect(countDeviceEvents([...refusals, ...lives])).toEqual({ connects: 2, disconnects: 1, drops: 1, failedConnects: 3 });
    // Serialized for the timeline's client component: times as ISO text.
    const serialized = refusals.map((item) => ({ ...item, occurredAt: item.occurredAt.toISOString() }));
    expect(countDropsAndFailures(serialized)).toEqual({ drops: 0, failedConnects: 3 });
  });
});

describe("countDropsAndFailures on a storming device", () => {
  // The device header counts up to 20,000 events of 24 h in a request: each refusal looked ahead by copying the rest
  // of the history (8.9 s for 20,000 events). 60,000 events took minutes that way; counted in one pass, milliseconds.
  it("counts 60,000 events in one pass", { timeout: 30_000 }, () => {
    const start = Date.UTC(2026, 10, 1);
    const kinds = ["disconnected", "connect_failed", "connected"] as const;
    const events = Array.from({ length: 60_000 }, (_, i) => {
      const kind = kinds[i % 3] as (typeof kinds)[number];
      const reason: Reason = kind === "disconnected" ? "keepalive_timeout" : kind === "connect_failed" ? "not_authorized" : "connected";
      return {
        id: String(i),
        kind,
        reason,
        code: null,
        occurredAt: new Date(start + i * 4_000),
        source: "aws-iot",
        feed: FEEDS.awsPresence,
      };
    });
    expect(countDropsAndFailures(events)).toEqual({ drops: 20_000, failedConnects: 20_000 });
  });
});

describe("computeSessionStats over many sessions", () => {
  // Each ended session looked for the next one from the first session of the range: quadratic in the sessions (the
  // device page computes this in the browser), minutes at 200,000. The next session now only moves forward.
  it("reads 200,000 sessions in one pass", { timeout: 30_000 }, () => {
    const start = Date.UTC(2026, 10, 1);
    const sessions = Array.from({ length: 200_000 }, (_, i) => ({
      startedAt: new Date(start + i * 10_000),
      endedAt: new Date(start + i * 10_000 + 8_000),
      endReason: "keepalive_timeout" as const,
    }));
    const stats = computeSessionStats(sessions, {
      from: new Date(start),
      to: new Date(start + 200_000 * 10_000),
      now: new Date(start + 200_000 * 10_000),
      failedConnects: 0,
    });
    expect(stats).toMatchObject({ connections: 200_000, drops: 200_000, reconnects: 199_999, maxReconnectMs: 2_000, maxSessionMs: 8_000 });
  });
});
