import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_DEFAULTS, type ConnectionEvent, type Reason } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { decodeDeviceListCursor, decodeEventCursor } from "./cursor.ts";
import { getDevice } from "./get-device.ts";
import { getDeviceDiagnosis } from "./get-device-diagnosis.ts";
import { getFleetBreakdown } from "./get-fleet-breakdown.ts";
import { getFleetSummary } from "./get-fleet-summary.ts";
import { listDeviceEvents } from "./list-device-events.ts";
import { listDeviceSessions } from "./list-device-sessions.ts";
import { listHourlyDisconnects } from "./list-hourly-disconnects.ts";
import { listTopDroppingDevices } from "./list-top-dropping-devices.ts";
import { searchDevices } from "./search-devices.ts";
import { parseAwsCloudWatchEntry, parseAwsPresenceMessage } from "@/lib/sources/aws-iot.ts";
import type { AdapterResult } from "@/lib/events/connection-event.ts";

const HOUR = 3_600_000;
const now = new Date("2026-11-22T12:00:00Z");
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
const range = { from: at(24), to: now };

const database = useTestDatabase();
let serial = 0;

function createEvent(
  deviceId: string,
  kind: ConnectionEvent["kind"],
  occurredAt: Date,
  sessionKey: string | null,
  reason?: Reason,
  code?: string,
): ConnectionEvent {
  serial += 1;
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt,
    reason: reason ?? (kind === "connected" ? "connected" : "unknown"),
    initiator: kind === "connected" ? "client" : "server",
    code: code ?? null,
    source: "test",
    sessionKey,
    dedupeKey: computeDedupeKey("test", [deviceId, kind, occurredAt.getTime(), serial]),
    raw: { serial },
  };
}

beforeAll(async () => {
  const events: ConnectionEvent[] = [
    // d-ties: three drops in the same millisecond, to check keyset paging across equal timestamps.
    createEvent("d-ties", "connected", at(10), "s1"),
    createEvent("d-ties", "disconnected", at(9), "s1", "keepalive_timeout", "emqx:keepalive_timeout"),
    createEvent("d-ties", "connect_failed", at(8), null, "auth_failed", "connack:5"),
    createEvent("d-ties", "connect_failed", at(8), null, "auth_failed", "connack:5"),
    createEvent("d-ties", "connect_failed", at(8), null, "auth_failed", "connack:5"),
    createEvent("d-ties", "connected", at(7), "s2"),
    createEvent("d-ties", "disconnected", at(6), "s2", "client_disconnect", "emqx:normal"),
    createEvent("d-ties", "connected", at(5), "s3"),
    // Wildcard IDs and a decoy that an unescaped LIKE pattern would also match.
    createEvent("Lab_1%", "connected", at(3), "w1"),
    createEvent("lab_1%-annex", "connected", at(3), "w2"),
    createEvent("labX1Y", "connected", at(3), "w3"),
    createEvent("old", "connected", at(40), "o1"),
    createEvent("old", "disconnected", at(30), "o1", "connection_lost", "emqx:tcp_closed"),
  ];
  await recordConnectionEvents(database.db, events);
});

describe("listDeviceEvents", () => {
  it("pages newest first through equal timestamps without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listDeviceEvents(database.db, {
        deviceId: "d-ties",
        ...range,
        limit: 2,
        cursor: cursor ? (decodeEventCursor(cursor) ?? undefined) : undefined,
      });
      seen.push(...page.events.map((event) => `${event.occurredAt.toISOString()}#${event.id}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it("filters by kind and range", async () => {
    const page = await listDeviceEvents(database.db, { deviceId: "d-ties", from: at(8.5), to: now, limit: 50, kinds: ["connect_failed"] });
    expect(page.events.map((event) => event.reason)).toEqual(["auth_failed", "auth_failed", "auth_failed"]);
    expect(page.nextCursor).toBeNull();
  });
});

describe("listDeviceSessions", () => {
  it("returns sessions overlapping the range, oldest first, the open one without an end", async () => {
    const { sessions, truncated } = await listDeviceSessions(database.db, { deviceId: "d-ties", from: at(9.5), to: now });
    expect(truncated).toBe(false);
    expect(sessions.map((session) => [session.sessionKey, session.endReason])).toEqual([
      ["s1", "keepalive_timeout"],
      ["s2", "client_disconnect"],
      ["s3", null],
    ]);
    expect(sessions[0]?.durationMs).toBe(HOUR);
    expect(typeof sessions[0]?.id).toBe("string");
  });
});

describe("searchDevices", () => {
  it("matches % and _ literally, case-insensitively, exact and prefix matches first", async () => {
    const page = await searchDevices(database.db, { query: "lab_1%", limit: 10 });
    // Both start with the text (case-insensitively); ties sort by id in the database's C collation.
    expect(page.devices.map((device) => [device.id, device.matchRank])).toEqual([
      ["Lab_1%", 1],
      ["lab_1%-annex", 1],
    ]);
    const exact = await searchDevices(database.db, { query: "Lab_1%", limit: 10 });
    expect(exact.devices[0]).toMatchObject({ id: "Lab_1%", matchRank: 0 });
    expect(exact.devices.map((device) => device.id)).not.toContain("labX1Y");
  });

  it("pages with a cursor and filters by state", async () => {
    const first = await searchDevices(database.db, { limit: 2 });
    expect(first.nextCursor).not.toBeNull();
    const second = await searchDevices(database.db, { limit: 10, cursor: decodeDeviceListCursor(first.nextCursor ?? "") ?? undefined });
    const ids = [...first.devices, ...second.devices].map((device) => device.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);

    const offline = await searchDevices(database.db, { state: "offline", limit: 10 });
    expect(offline.devices.map((device) => device.id)).toEqual(["old"]);
  });
});

describe("getDevice", () => {
  it("returns the row with 24 h counts, and null for unknown IDs", async () => {
    const device = await getDevice(database.db, "d-ties", now);
    expect(device?.state).toBe("online");
    expect(device?.stats).toMatchObject({ connects: 3, disconnects: 2, drops: 1, failedConnects: 3, currentSessionStartedAt: at(5) });
    expect(await getDevice(database.db, "D-TIES", now)).toBeNull();
  });
});

describe("fleet reads from rollups", () => {
  it("summarizes the range", async () => {
    const summary = await getFleetSummary(database.db, range);
    expect(summary).toMatchObject({ devicesTotal: 5, devicesOnline: 4, connects: 6, disconnects: 2, failedConnects: 3, deadLetters: 0 });
  });

  it("breaks disconnects and failed connects down by reason and by code", async () => {
    const byReason = await getFleetBreakdown(database.db, { by: "reason", ...range });
    expect(byReason.items.map(({ key, disconnects, failedConnects, total }) => ({ key, disconnects, failedConnects, total }))).toEqual([
      { key: "auth_failed", disconnects: 0, failedConnects: 3, total: 3 },
      { key: "client_disconnect", disconnects: 1, failedConnects: 0, total: 1 },
      { key: "keepalive_timeout", disconnects: 1, failedConnects: 0, total: 1 },
    ]);
    const byCode = await getFleetBreakdown(database.db, { by: "code", ...range });
    expect(byCode.items[0]).toMatchObject({ key: "connack:5", disconnects: 0, failedConnects: 3, total: 3, share: 0.6 });
  });

  it("counts disconnects per UTC hour and reason", async () => {
    const rows = await listHourlyDisconnects(database.db, range);
    expect(rows).toEqual([
      { hour: at(9), reason: "keepalive_timeout", count: 1 },
      { hour: at(6), reason: "client_disconnect", count: 1 },
    ]);
  });

  it("ranks dropping devices without counting clean client disconnects", async () => {
    const devices = await listTopDroppingDevices(database.db, { ...range, limit: 10 });
    expect(devices).toEqual([
      { deviceId: "d-ties", state: "online", drops: 1, failedConnects: 3, topReason: "auth_failed", lastDropAt: at(8) },
    ]);
  });
});

describe("a device one platform feeds twice (AWS's lifecycle topic and its CloudWatch log)", () => {
  // Weeks after the other tests' range, so their fleet counts are not touched.
  const later = new Date(now.getTime() + 30 * 24 * HOUR);
  const base = later.getTime() - 2 * HOUR;
  const deviceId = "double-fed";
  const adapted = (result: AdapterResult) => {
    if (!result.ok) throw new Error(result.error);
    return result.events;
  };
  const presence = (eventType: string, atMs: number, extra: Record<string, unknown>) =>
    adapted(
      parseAwsPresenceMessage(
        `$aws/events/presence/${eventType}/${deviceId}`,
        JSON.stringify({ clientId: deviceId, eventType, timestamp: atMs, principalIdentifier: "p", ...extra }),
      ),
    );
  const cloudWatch = (eventType: string, status: string, atMs: number, extra: Record<string, unknown>) =>
    adapted(
      parseAwsCloudWatchEntry({
        timestamp: new Date(atMs + 140).toISOString().replace("T", " ").replace("Z", ""),
        logLevel: status === "Success" ? "INFO" : "ERROR",
        traceId: `trace-${atMs}`,
        status,
        eventType,
        clientId: deviceId,
        sourceIp: "81.2.3.4",
        sourcePort: 40_112,
        ...extra,
      }),
    );

  it("counts each connect, drop and refused connect once on the device page, and names each event's feed", async () => {
    const refusedAt = [0, 1_000, 3_000, 7_000].map((ms) => base + 60_000 + ms);
    await recordConnectionEvents(database.db, [
      ...presence("connected", base, { sessionIdentifier: "s-1", ipAddress: "81.2.3.4", versionNumber: 1 }),
      ...cloudWatch("Connect", "Success", base, {}),
      ...presence("disconnected", base + 30_000, {
        sessionIdentifier: "s-1",
        versionNumber: 1,
        clientInitiatedDisconnect: false,
        disconnectReason: "CONNECTION_LOST",
      }),
      ...cloudWatch("Disconnect", "Success", base + 30_000, { disconnectReason: "CONNECTION_LOST" }),
      ...refusedAt.flatMap((atMs) => [
        ...presence("connect_failed", atMs, {
          sessionIdentifier: `r-${atMs}`,
          ipAddress: "81.2.3.4",
          connectFailureReason: "AUTHORIZATION_FAILED",
        }),
        ...cloudWatch("Connect", "Failure", atMs, { reason: "AUTHORIZATION_FAILURE" }),
      ]),
      ...presence("connected", base + 120_000, { sessionIdentifier: "s-2", ipAddress: "81.2.3.4", versionNumber: 2 }),
      ...cloudWatch("Connect", "Success", base + 120_000, {}),
    ]);
    const device = await getDevice(database.db, deviceId, later);
    // It said 4 connects, 2 disconnects and 8 failed connects.
    expect(device?.stats).toMatchObject({ connects: 2, disconnects: 1, drops: 1, failedConnects: 4, truncated: false });
    const page = await listDeviceEvents(database.db, { deviceId, from: new Date(base), to: later, limit: 50 });
    expect(new Set(page.events.map((event) => event.feed))).toEqual(new Set(["aws-iot:presence", "aws-iot:cloudwatch"]));
    // The diagnosis reads the feed too (lib/queries/load-diagnosis-input.ts).
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId, now: later });
    expect(diagnosis.summary).toMatchObject({ connects: 2, drops: 1, failedConnects: 4 });
  });
});
