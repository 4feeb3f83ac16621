import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { emqxLifecycleEvent } from "@/lib/testing/emqx-lifecycle.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { recordConnectionEvents, recordIngestBatch } from "./record-events.ts";

const testDb = useTestDatabase();

const NODE = "test@127.0.0.1";
const uniqueDevice = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/** A connect at `connectedAt`, or the disconnect a minute later of the connection made then. */
function emqx(
  kind: "connected" | "disconnected",
  deviceId: string,
  connectedAt: number,
  extra: Record<string, unknown> = {},
): ConnectionEvent {
  const at = kind === "connected" ? connectedAt : connectedAt + 60_000;
  return emqxLifecycleEvent(NODE, deviceId, kind, connectedAt, at, "tcp_closed", extra);
}

describe("recordIngestBatch against a real Postgres", () => {
  it("stores a redelivered event once and leaves counters and rollups untouched the second time", async () => {
    const deviceId = uniqueDevice("dup");
    const t0 = Date.UTC(2026, 10, 1, 10, 0, 0);
    const events = [emqx("connected", deviceId, t0), emqx("disconnected", deviceId, t0)];

    const first = await recordConnectionEvents(testDb.db, [...events, events[0]!]);
    expect(first).toMatchObject({ inserted: 2, duplicates: 1 });
    const second = await recordConnectionEvents(testDb.db, events);
    expect(second).toMatchObject({ inserted: 0, duplicates: 2 });

    expect(await testDb.db.connectionEvent.count({ where: { deviceId } })).toBe(2);
    const device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({
      connectCount: 1,
      disconnectCount: 1,
      state: "offline",
      lastReason: "connection_lost",
      lastCode: "emqx:tcp_closed",
    });
    const rollup = await testDb.db.eventRollupMinute.findFirst({
      where: { bucket: new Date(t0 + 60_000), kind: "disconnected", code: "emqx:tcp_closed" },
    });
    expect(rollup?.count).toBeGreaterThanOrEqual(1);
    expect(await testDb.db.session.count({ where: { deviceId } })).toBe(1);
  });

  it("stores the feed each event came through, beside its source", async () => {
    const deviceId = uniqueDevice("feed");
    const t0 = Date.UTC(2026, 10, 1, 10, 0, 0);
    const sys = emqx("connected", deviceId, t0);
    const rule = parseEmqxMessage(
      "$events/client_disconnected",
      JSON.stringify({
        clientid: deviceId,
        node: NODE,
        event: "client.disconnected",
        reason: "tcp_closed",
        connected_at: t0,
        disconnected_at: t0 + 60_000,
        timestamp: t0 + 60_000,
      }),
    );
    if (!rule.ok || !rule.events[0]) throw new Error("fixture did not parse");
    await recordConnectionEvents(testDb.db, [sys, rule.events[0], { ...sys, feed: null, dedupeKey: `no-feed:${randomUUID()}` }]);
    const stored = await testDb.db.connectionEvent.findMany({
      where: { deviceId },
      orderBy: { id: "asc" },
      select: { source: true, feed: true },
    });
    expect(stored).toEqual([
      { source: "emqx", feed: "emqx:sys" },
      { source: "emqx", feed: "emqx:rule-events" },
      { source: "emqx", feed: null },
    ]);
  });

  it("keeps the device's first-seen time at its earliest event, lowered when an older event arrives late", async () => {
    const deviceId = uniqueDevice("first-seen");
    const t0 = Date.UTC(2026, 9, 1, 10, 0, 0);
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t0)]);
    expect((await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } })).firstSeenAt).toEqual(new Date(t0));
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t0 - 86_400_000), emqx("connected", deviceId, t0 + 86_400_000)]);
    expect((await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } })).firstSeenAt).toEqual(new Date(t0 - 86_400_000));
  });

  it("turns a connect and its disconnect into one closed session with duration and end reason", async () => {
    const deviceId = uniqueDevice("session");
    const t0 = Date.UTC(2026, 10, 1, 11, 0, 0);
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t0)]);
    let device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.state).toBe("online");

    await recordConnectionEvents(testDb.db, [emqx("disconnected", deviceId, t0, { reason: "keepalive_timeout" })]);
    const [session] = await testDb.db.session.findMany({ where: { deviceId } });
    expect(session).toMatchObject({
      startedAt: new Date(t0),
      endedAt: new Date(t0 + 60_000),
      durationMs: 60_000n,
      endReason: "keepalive_timeout",
      endCode: "emqx:keepalive_timeout",
      endInferred: false,
      clientIp: "10.0.0.4",
    });
    device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.state).toBe("offline");
  });

  it("closes a session whose disconnect arrived before its connect", async () => {
    const deviceId = uniqueDevice("ooo");
    const t0 = Date.UTC(2026, 10, 1, 12, 0, 0);
    await recordConnectionEvents(testDb.db, [emqx("disconnected", deviceId, t0)]);
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t0)]);
    const sessions = await testDb.db.session.findMany({ where: { deviceId } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ endedAt: new Date(t0 + 60_000), endReason: "connection_lost", endInferred: false });
    const device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.state).toBe("offline");
  });

  it("keeps a device online through a takeover and gives the old session the takeover reason", async () => {
    const deviceId = uniqueDevice("takeover");
    const t0 = Date.UTC(2026, 10, 1, 13, 0, 0);
    const t1 = t0 + 30_000;
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t0)]);
    await recordConnectionEvents(testDb.db, [emqx("connected", deviceId, t1, { ipaddress: "10.0.0.9" })]);
    let sessions = await testDb.db.session.findMany({ where: { deviceId }, orderBy: { startedAt: "asc" } });
    // The new connect closes the old session provisionally until its disconnect arrives.
    expect(sessions[0]).toMatchObject({ endedAt: new Date(t1), endReason: "unknown", endInferred: true });

    await recordConnectionEvents(testDb.db, [
      emqx("disconnected", deviceId, t0, { reason: "takenover", disconnected_at: t1 + 2, ts: t1 + 2 }),
    ]);
    sessions = await testDb.db.session.findMany({ where: { deviceId }, orderBy: { startedAt: "asc" } });
    expect(sessions[0]).toMatchObject({ endedAt: new Date(t1 + 2), endReason: "session_taken_over", endInferred: false });
    expect(sessions[1]).toMatchObject({ endedAt: null, clientIp: "10.0.0.9" });
    const device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device).toMatchObject({ state: "online", lastReason: "session_taken_over", lastClientIp: "10.0.0.9" });
  });

  it("stores dead letters with the reason and a bounded copy of the payload, in the same transaction as events", async () => {
    const topic = `$SYS/brokers/${NODE}/clients/${uniqueDevice("bad")}/connected`;
    const payload = Buffer.from('{"clientid": ');
    const result = await recordIngestBatch(testDb.db, {
      events: [],
      deadLetters: [{ source: "emqx", topic, error: "payload is not JSON", payload }],
    });
    expect(result.deadLetters).toBe(1);
    const stored = await testDb.db.deadLetter.findFirstOrThrow({ where: { topic } });
    expect(stored).toMatchObject({ error: "payload is not JSON", payload: '{"clientid": ', payloadBytes: 13, source: "emqx" });
  });
});
