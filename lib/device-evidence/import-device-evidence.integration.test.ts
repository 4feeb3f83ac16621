import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import {
  buildJournalFixtureBrokerEvents,
  EVIDENCE_FIXTURES,
  JOURNAL_FIXTURE_DROPS,
  readEvidenceFixture,
  readShiftedFixture,
  shiftEvidenceTimes,
} from "@/lib/testing/evidence-fixtures.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { buildDeviceSample } from "./device-sample.ts";
import { listDeviceSamples, recordDeviceSamples } from "./device-samples.ts";
import { DEVICE_EVIDENCE_UPLOAD_SOURCE, importDeviceEvidence } from "./import-device-evidence.ts";

const HOUR = 3_600_000;
const testDb = useTestDatabase();

const uniqueDevice = (name: string) => `${name}/${randomUUID().slice(0, 8)}`;

async function analyzers(deviceId: string): Promise<Map<string, string>> {
  const diagnosis = await getDeviceDiagnosis(testDb.db, { deviceId, now: new Date() });
  return new Map(diagnosis.findings.map((finding) => [finding.analyzer, finding.verdict]));
}

describe("importDeviceEvidence", () => {
  it("stores a collector export once, with its publish count, and the diagnosis reads its drops", async () => {
    const deviceId = uniqueDevice("heater");
    const body = readShiftedFixture(EVIDENCE_FIXTURES.collector, Date.now() - HOUR);
    const first = await importDeviceEvidence(testDb.db, { deviceId, body });
    expect(first).toEqual({
      format: "collector",
      events: 17,
      accepted: 17,
      duplicate: 0,
      rejected: 0,
      errors: [],
      message: "Stored 17 new events.",
      samples: 1,
    });
    const again = await importDeviceEvidence(testDb.db, { deviceId, body });
    expect(again).toMatchObject({ format: "collector", events: 17, accepted: 0, duplicate: 17, rejected: 0, samples: 0 });
    expect(await testDb.db.connectionEvent.count({ where: { deviceId } })).toBe(17);
    const samples = await listDeviceSamples(testDb.db, { deviceId, from: new Date(0), to: new Date(Date.now() + HOUR) });
    expect(samples).toMatchObject([{ series: "mqtt-diagnostics-collector", publishedMessages: 1432 }]);
    expect((await analyzers(deviceId)).get("irregular-drops")).toMatch(/^8 drops at irregular intervals/);
  });

  it("reads the export inside a Home Assistant diagnostics download", async () => {
    const deviceId = uniqueDevice("navien");
    const result = await importDeviceEvidence(testDb.db, {
      deviceId,
      body: readShiftedFixture(EVIDENCE_FIXTURES.homeAssistant, Date.now() - HOUR),
    });
    expect(result).toMatchObject({ format: "home-assistant", events: 19, accepted: 19 });
    expect((await analyzers(deviceId)).get("periodic-drops")).toMatch(/^Drops every 20 ± 0 min with crt:5134/);
  });

  it("refuses what it cannot read with a 4xx naming what is missing, and keeps it as a dead letter", async () => {
    const deviceId = uniqueDevice("refused");
    await expect(
      importDeviceEvidence(testDb.db, { deviceId, body: JSON.stringify({ metrics: {}, recent_drops: [{}] }) }),
    ).rejects.toMatchObject({
      kind: "invalid",
      code: "invalid_evidence",
      message: expect.stringMatching(/metrics\.total_connection_drops.*|recent_drops\.0\.timestamp/),
    });
    await expect(
      importDeviceEvidence(testDb.db, { deviceId, body: JSON.stringify({ home_assistant: { version: "2026.11" }, data: { entry: {} } }) }),
    ).rejects.toMatchObject({
      kind: "invalid",
      message: expect.stringContaining("holds no collector export"),
    });
    await expect(importDeviceEvidence(testDb.db, { deviceId, body: JSON.stringify({ hello: 1 }) })).rejects.toMatchObject({
      kind: "invalid",
      message: expect.stringContaining("expected a collector export"),
    });
    await expect(importDeviceEvidence(testDb.db, { deviceId, body: "just some text\nwith no log lines" })).rejects.toMatchObject({
      kind: "invalid",
      message: expect.stringContaining("No line is in a journal or syslog form"),
    });
    await expect(
      importDeviceEvidence(testDb.db, {
        deviceId,
        body: `{"metrics":{"total_connection_drops":1},"recent_drops":[],"pad":"${"x".repeat(3 * 1024 * 1024)}"}`,
      }),
    ).rejects.toMatchObject({ kind: "too_large" });
    const letters = await testDb.db.deadLetter.findMany({
      where: { source: DEVICE_EVIDENCE_UPLOAD_SOURCE, error: { contains: deviceId } },
    });
    expect(letters).toHaveLength(5);
  });

  it("stores a collector export's drops when its own time cannot be stored or is years ahead, keeping the sample as a dead letter", async () => {
    const fixture = JSON.parse(readShiftedFixture(EVIDENCE_FIXTURES.collector, Date.now() - HOUR)) as Record<string, unknown>;
    // Year 0 Postgres cannot hold; 2999 is a clock ten years and more ahead: either would have been the device's newest
    // sample for ever (retention deletes samples by age).
    for (const [name, timestamp, reason] of [
      ["year-zero", "0000-01-01T00:00:00Z", /before 1970/],
      ["far-ahead", "2999-01-01T00:00:00Z", /more than ten years after it was received/],
    ] as const) {
      const deviceId = uniqueDevice(name);
      const result = await importDeviceEvidence(testDb.db, { deviceId, body: JSON.stringify({ ...fixture, timestamp }) });
      expect(result).toMatchObject({ format: "collector", events: 17, accepted: 17, rejected: 1, samples: 0 });
      expect(result.errors).toEqual([{ where: "timestamp", error: expect.stringMatching(reason) }]);
      expect(result.message).toMatch(/^Stored 17 new events\. 1 record could not be stored and was kept as a dead letter/);
      expect(await testDb.db.deviceSample.count({ where: { deviceId } })).toBe(0);
      const letters = await testDb.db.deadLetter.findMany({ where: { topic: `refused-sample:${deviceId}` } });
      expect(letters.map((letter) => letter.error)).toEqual([expect.stringMatching(reason)]);
    }
  });

  it("turns a journal into system events that name the event behind the broker's drops", async () => {
    const deviceId = uniqueDevice("cooler-gw");
    const shift = Date.now() - 2 * HOUR - Date.parse(JOURNAL_FIXTURE_DROPS.at(-1) ?? "");
    await recordConnectionEvents(testDb.db, buildJournalFixtureBrokerEvents(deviceId, shift));
    const body = shiftEvidenceTimes(readEvidenceFixture(EVIDENCE_FIXTURES.journal), shift);
    const result = await importDeviceEvidence(testDb.db, { deviceId, body });
    expect(result).toMatchObject({ format: "system-log", lines: 90, unreadable: 0, accepted: result.events });
    expect(result.unrecognized).toBeGreaterThan(20);
    expect(await importDeviceEvidence(testDb.db, { deviceId, body })).toMatchObject({ accepted: 0, duplicate: result.events });
    const codes = await testDb.db.connectionEvent.groupBy({ by: ["code"], where: { deviceId, kind: "device_report" }, _count: true });
    expect(Object.fromEntries(codes.map((row) => [row.code, row._count]))).toMatchObject({
      "journal:wifi_disconnect": 5,
      "journal:dhcp_renewal": 5,
      "journal:cron_run": expect.any(Number),
    });
    expect((await analyzers(deviceId)).get("system-event-drops")).toMatch(
      /^5 of 5 drops came within 2 min of a system event the device reported \(Wi-Fi disconnect, /,
    );
  });

  it("reads journalctl -o json and year-less syslog the same way", async () => {
    const deviceId = uniqueDevice("json-journal");
    const records = [
      {
        __REALTIME_TIMESTAMP: "1764497700000000",
        SYSLOG_IDENTIFIER: "systemd-sleep",
        MESSAGE: "Entering sleep state 'suspend'...",
        _HOSTNAME: "gw",
      },
      { __REALTIME_TIMESTAMP: "1764497760000000", _TRANSPORT: "kernel", MESSAGE: [...Buffer.from("PM: suspend exit")] },
      { __REALTIME_TIMESTAMP: "1764497770000000", SYSLOG_IDENTIFIER: "sshd", MESSAGE: "Accepted publickey for pi" },
    ];
    const json = await importDeviceEvidence(testDb.db, { deviceId, body: records.map((record) => JSON.stringify(record)).join("\n") });
    expect(json).toMatchObject({ format: "system-log", lines: 3, events: 2, accepted: 2, unrecognized: 1 });
    const syslog =
      "Nov 30 10:15:02 gw dhclient[901]: DHCPACK of 192.168.1.23 from 192.168.1.1\nNov 30 10:15:03 gw dhclient[901]: bound to 192.168.1.23 -- renewal in 1713 seconds.\n\tcontinuation";
    const read = await importDeviceEvidence(testDb.db, { deviceId, body: syslog, reference: new Date("2027-01-02T00:00:00Z") });
    expect(read).toMatchObject({ events: 2, accepted: 2, unreadable: 1 });
    const stored = await testDb.db.connectionEvent.findMany({
      where: { deviceId, code: "syslog:dhcp_renewal" },
      orderBy: { occurredAt: "asc" },
    });
    expect(stored.map((event) => event.occurredAt.toISOString())).toEqual(["2026-11-30T10:15:02.000Z", "2026-11-30T10:15:03.000Z"]);
  });
});

describe("recordDeviceSamples", () => {
  it("is idempotent and keeps each device's newest samples within the bound", async () => {
    const deviceId = uniqueDevice("vitals");
    const samples = Array.from({ length: 12 }, (_, index) =>
      buildDeviceSample({
        deviceId,
        series: "agent-a",
        at: new Date(Date.UTC(2026, 10, 30, 10, index)),
        vitals: { rssiDbm: -60 - index, batteryPct: 90 },
        publishedMessages: index * 10,
      }),
    );
    expect(await recordDeviceSamples(testDb.db, samples)).toBe(12);
    expect(await recordDeviceSamples(testDb.db, samples)).toBe(0);
    const newer = buildDeviceSample({ deviceId, series: "agent-a", at: new Date(Date.UTC(2026, 10, 30, 11)), vitals: { rssiDbm: -90 } });
    expect(await recordDeviceSamples(testDb.db, [newer], 10)).toBe(1);
    const kept = await listDeviceSamples(testDb.db, { deviceId, from: new Date(0), to: new Date(Date.UTC(2027, 0)) });
    expect(kept).toHaveLength(10);
    expect(kept[0]).toMatchObject({ rssiDbm: -63, batteryPct: 90, publishedMessages: 30 });
    expect(kept.at(-1)).toMatchObject({ rssiDbm: -90, batteryPct: null });
  });
});
