import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DEVICE_EVIDENCE_UPLOAD_SOURCE, importDeviceEvidence } from "@/lib/device-evidence/import-device-evidence.ts";
import { makeAgentExport, makeAgentMetrics } from "@/lib/testing/factories.ts";
import { refuseInsertsWhere } from "@/lib/testing/refuse-inserts.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { AGENT_UPLOAD_SOURCE, importAgentExport } from "./import-agent-export.ts";

// The device page's uploads (agent export, device evidence) keep every good record of a file and each bad one as a dead
// letter with its reason: a malformed entry, one dated impossibly far ahead, one the database refuses (a trigger stands
// in for any such refusal).
const testDb = useTestDatabase();
const REFUSED_MARK = "refuse-me-in-the-database";

beforeAll(async () => {
  await refuseInsertsWhere(testDb.db, {
    name: "refuse_marked_events",
    table: "connection_events",
    column: "message",
    pattern: `%${REFUSED_MARK}%`,
    message: "event refused by the test",
  });
});

const uniqueDevice = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function drop(seq: number, timestamp: string, errorMessage = "keepalive timeout") {
  return {
    seq,
    timestamp,
    errorName: "KEEPALIVE_TIMEOUT",
    errorCode: null,
    errorMessage,
    reconnectAttempt: 0,
    durationConnectedSeconds: 600,
    activeSubscriptions: 1,
    queuedCommands: 0,
    mqtt5ReasonCode: null,
  };
}

function agentExport(deviceId: string, lists: { recentDrops?: unknown[]; recentSystemEvents?: unknown[] }) {
  return JSON.stringify(makeAgentExport(deviceId, { metrics: makeAgentMetrics({ totalDrops: 3, totalRecoveries: 1 }), ...lists }));
}

const storedEvents = (deviceId: string) => testDb.db.connectionEvent.count({ where: { deviceId } });
/** The upload's bad records (read as refused by the upload), not those the database refused. */
const lettersOf = (source: string, deviceId: string) =>
  testDb.db.deadLetter.findMany({
    where: { source, topic: { startsWith: "device-upload:", endsWith: `:${deviceId}` } },
    orderBy: { id: "asc" },
  });
/** Kept as the record the refused event was read from, with the reader that read it. */
const refusedOf = (deviceId: string) => ({ topic: { startsWith: "refused:device-upload:", endsWith: `:${deviceId}` } });

describe("agent export upload", () => {
  it("stores every good entry; a malformed one, one dated decades ahead and one the database refuses become dead letters", async () => {
    const deviceId = uniqueDevice("agent");
    const body = agentExport(deviceId, {
      recentDrops: [
        drop(1, minutesAgo(30)),
        drop(2, "yesterday"),
        drop(3, minutesAgo(20), REFUSED_MARK),
        drop(4, new Date(Date.now() + 4_000 * DAY_MS).toISOString()),
        drop(5, minutesAgo(10)),
      ],
      recentSystemEvents: [{ seq: 6, timestamp: minutesAgo(5), type: "network_change", detail: "wlan0 roamed" }],
    });
    const result = await importAgentExport(testDb.db, { deviceId, body });
    expect(result).toMatchObject({ events: 4, accepted: 3, duplicate: 0, rejected: 3 });
    expect(result.message).toMatch(
      /^Stored 3 new events\. 3 records could not be stored and were kept as dead letters \(Ingest health lists them\)\. The first: recentDrops\[1\]: /,
    );
    expect(result.errors).toEqual([
      { where: "recentDrops[1]", error: expect.stringContaining("timestamp") },
      { where: "recentDrops[3]", error: expect.stringContaining("more than ten years after it was received") },
    ]);
    expect(await storedEvents(deviceId)).toBe(3);
    const letters = await lettersOf(AGENT_UPLOAD_SOURCE, deviceId);
    expect(letters.map((letter) => letter.error)).toEqual([
      expect.stringMatching(/^recentDrops\[1\]: .*timestamp/),
      expect.stringMatching(/^recentDrops\[3\]: .*ten years/),
    ]);
    const refused = await testDb.db.deadLetter.findFirstOrThrow({ where: refusedOf(deviceId) });
    expect(refused.error).toMatch(/the database refused this event: .*event refused by the test/);
    expect(letters[0]?.payload).toContain('"yesterday"');

    // Uploading it again stores nothing twice; the bad entries are refused again.
    expect(await importAgentExport(testDb.db, { deviceId, body })).toMatchObject({ accepted: 0, duplicate: 3, rejected: 3 });
  });

  it("still refuses a file that is not an export of this device, whole", async () => {
    const deviceId = uniqueDevice("agent-other");
    await expect(
      importAgentExport(testDb.db, { deviceId, body: agentExport("someone-else", { recentDrops: [drop(1, minutesAgo(5))] }) }),
    ).rejects.toMatchObject({ code: "device_mismatch" });
    expect(await storedEvents("someone-else")).toBe(0);
  });
});

describe("device evidence upload", () => {
  it("collector export: a drop without a time is a dead letter, the others are stored", async () => {
    const deviceId = uniqueDevice("collector");
    const collectorDrop = (timestamp: unknown, error_message = "keepalive") => ({
      timestamp,
      error_name: "AWS_ERROR_MQTT_TIMEOUT",
      error_message,
      duration_connected_seconds: 60,
    });
    const body = JSON.stringify({
      timestamp: new Date().toISOString(),
      metrics: { total_connection_drops: 4, messages_published: 10 },
      recent_drops: [
        collectorDrop(minutesAgo(40)),
        collectorDrop(null),
        collectorDrop(minutesAgo(30), REFUSED_MARK),
        collectorDrop(minutesAgo(20)),
      ],
      recent_connections: [{ timestamp: minutesAgo(19), event_type: "reconnected", attempt_number: 1 }],
    });
    const result = await importDeviceEvidence(testDb.db, { deviceId, body });
    expect(result).toMatchObject({ format: "collector", events: 4, accepted: 3, rejected: 2, samples: 1 });
    expect(result.errors).toEqual([{ where: "recent_drops[1]", error: expect.stringContaining("timestamp") }]);
    expect(await storedEvents(deviceId)).toBe(3);
    expect(await lettersOf(DEVICE_EVIDENCE_UPLOAD_SOURCE, deviceId)).toMatchObject([
      { error: expect.stringMatching(/^recent_drops\[1\]/) },
    ]);
    expect(await testDb.db.deadLetter.count({ where: refusedOf(deviceId) })).toBe(1);
  });

  it("system log: a line the database refuses is a dead letter, the log's other events are stored", async () => {
    const deviceId = uniqueDevice("syslog");
    const stamp = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, "+0000");
    const body = [
      `${stamp(30)} gw wpa_supplicant[512]: wlan0: CTRL-EVENT-DISCONNECTED bssid=aa:bb reason=4`,
      `${stamp(20)} gw wpa_supplicant[512]: wlan0: CTRL-EVENT-DISCONNECTED bssid=aa:bb reason=4 ${REFUSED_MARK}`,
      `${stamp(10)} gw dhclient[901]: DHCPACK of 192.168.1.23 from 192.168.1.1`,
    ].join("\n");
    const result = await importDeviceEvidence(testDb.db, { deviceId, body });
    expect(result).toMatchObject({ format: "system-log", events: 3, accepted: 2, rejected: 1 });
    expect(result.message).toMatch(
      /^Stored 2 new events\. 1 record could not be stored and was kept as a dead letter \(Ingest health lists them\)\.$/,
    );
    expect(await storedEvents(deviceId)).toBe(2);
    expect(await testDb.db.deadLetter.count({ where: refusedOf(deviceId) })).toBe(1);
  });
});
