import { beforeAll, describe, expect, it } from "vitest";
import { FLEET_DEVICES } from "@/demo/simulator/fleet-profiles.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { parseAzureConnectionsLog } from "@/lib/sources/azure.ts";
import { parseDeviceReport } from "@/lib/sources/device-report.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getCodeTrend } from "./get-code-trend.ts";
import { getDevice } from "./get-device.ts";
import { getDeviceDiagnosis } from "./get-device-diagnosis.ts";
import { listCodeCounts } from "./list-code-counts.ts";
import { listCodeDevices } from "./list-code-devices.ts";

const DAY = 86_400_000;
const to = new Date("2026-11-20T00:00:00Z");
const from = new Date(to.getTime() - 3 * DAY);
// The fault devices plus enough healthy sensors that the broker restart in the history is fleet-wide.
const devices = FLEET_DEVICES.filter((device) => device.kind !== "healthy" || /^sensor-0(0\d|1[0-5])$/.test(device.id));

const database = useTestDatabase();

beforeAll(async () => {
  await backfillFleetHistory(database.db, { devices, from, to });
});

describe("diagnosis over the simulated fleet's history", () => {
  it("finds periodic credential expiry on meter-periodic-01", async () => {
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "meter-periodic-01", now: to });
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(diagnosis.verdict?.verdict).toMatch(/^Drops every 60 ± \d(\.\d)? min with emqx:not_authorized, then reconnects in \d(\.\d)? s/);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("irregular-drops");
  });

  it("finds the duplicate client ID on cam-dup-id-01 with both addresses", async () => {
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "cam-dup-id-01", now: to });
    expect(diagnosis.verdict?.analyzer).toBe("client-id-takeover");
    expect(diagnosis.verdict?.verdict).toMatch(
      /^Two devices share client ID cam-dup-id-01: \d+ takeovers alternate between 10\.0\.0\.4 and 10\.0\.0\.9\.$/,
    );
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("reconnect-storm");
  });

  it("finds the reconnect storm, the refused credentials, the flaky link and the hung tracker", async () => {
    const verdictOf = async (deviceId: string) => (await getDeviceDiagnosis(database.db, { deviceId, now: to })).verdict?.analyzer;
    expect(await verdictOf("plug-tightloop-01")).toBe("reconnect-storm");
    expect(await verdictOf("valve-badauth-01")).toBe("auth-failures");
    expect(await verdictOf("gw-flaky-01")).toBe("irregular-drops");
    expect(await verdictOf("tracker-hung-01")).toBe("keepalive-timeouts");
  });

  it("leads with the keepalive behind the NAT on hub-nat-01, with the 60 s recommendation", async () => {
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "hub-nat-01", now: to });
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    expect(diagnosis.verdict?.verdict).toContain("Set the keepalive to 60 s");
  });

  it("gives a healthy sensor no alarming finding and attributes the broker restart to the fleet", async () => {
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "sensor-003", now: to });
    expect(diagnosis.findings.filter((finding) => finding.severity === "warning" || finding.severity === "critical")).toEqual([]);
    expect(diagnosis.summary.fleetWideDrops).toBe(1);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["fleet-wide-drops"]);
  });
});

describe("fleet context: comparable devices, counted as devices", () => {
  function drop(deviceId: string, connectedAt: number, scope: { source?: string; node?: string } = {}) {
    const node = scope.node ?? "n1";
    const payload = {
      clientid: deviceId,
      ipaddress: "10.9.9.9",
      connected_at: connectedAt,
      disconnected_at: connectedAt + 1000,
      reason: "tcp_closed",
    };
    const result = parseEmqxMessage(`$SYS/brokers/${node}/clients/${encodeURIComponent(deviceId)}/disconnected`, JSON.stringify(payload));
    if (!result.ok || !result.events[0]) throw new Error("fixture did not parse");
    const event = result.events[0];
    return scope.source ? { ...event, source: scope.source, dedupeKey: `${event.dedupeKey.slice(0, 100)}:${scope.source}` } : event;
  }

  it("does not call a drop fleet-wide because one other device stormed in the same minute", async () => {
    const minute = Date.UTC(2026, 10, 19, 12, 30);
    const storm = Array.from({ length: 30 }, (_, i) => drop("storm-fleetctx", minute + i * 1500));
    await recordConnectionEvents(database.db, [...storm, drop("victim-fleetctx", minute + 20_000)]);
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "victim-fleetctx", now: to });
    expect(diagnosis.summary.fleetWideDrops).toBe(0);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("fleet-wide-drops");
  });

  it("compares a device with devices of its own source and broker node, not with another platform's outage", async () => {
    const minute = Date.UTC(2026, 10, 19, 14, 10);
    const otherPlatform = Array.from({ length: 40 }, (_, i) => drop(`aws-fleet-${i}`, minute + i * 100, { source: "aws-iot-test" }));
    const otherNode = Array.from({ length: 40 }, (_, i) => drop(`node9-fleet-${i}`, minute + i * 100, { node: "n9-scope" }));
    await recordConnectionEvents(database.db, [...otherPlatform, ...otherNode, drop("lonely-scope", minute + 5_000, { node: "n7-scope" })]);
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "lonely-scope", now: to });
    expect(diagnosis.summary.fleetWideDrops).toBe(0);
  });

  it("sizes the fleet by devices active in the window, so long-gone devices do not hide a fleet event", async () => {
    // 120 devices of the same node seen a month before the window, then 6 active ones drop together with the victim.
    const longAgo = from.getTime() - 30 * DAY;
    await recordConnectionEvents(
      database.db,
      Array.from({ length: 120 }, (_, i) => drop(`gone-${i}`, longAgo + i * 1000, { node: "n5-scope" })),
    );
    const minute = Date.UTC(2026, 10, 19, 16, 40);
    const together = Array.from({ length: 6 }, (_, i) => drop(`active-${i}`, minute + i * 500, { node: "n5-scope" }));
    await recordConnectionEvents(database.db, [...together, drop("victim-scope", minute + 4_000, { node: "n5-scope" })]);
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "victim-scope", now: to });
    expect(diagnosis.summary.fleetWideDrops).toBe(1);
    expect(diagnosis.verdict?.analyzer).toBe("fleet-wide-drops");
    expect(diagnosis.verdict?.verdict).toContain("out of 7 comparable devices");
  });

  it("compares a device seen only through its own reports with devices reporting through the same source", async () => {
    const minute = Date.UTC(2026, 10, 19, 18, 20);
    const report = (deviceId: string, at: number) => {
      const result = parseDeviceReport({ deviceId, occurredAt: new Date(at).toISOString(), crtCode: 5134, reportId: `${deviceId}-${at}` });
      if (!result.ok || !result.events[0]) throw new Error("fixture did not parse");
      return result.events[0];
    };
    await recordConnectionEvents(database.db, [
      ...Array.from({ length: 6 }, (_, i) => report(`reporting-${i}`, minute + i * 700)),
      report("reporting-victim", minute + 5_000),
    ]);
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "reporting-victim", now: to });
    expect(diagnosis.summary.drops).toBe(1);
    expect(diagnosis.summary.fleetWideDrops).toBe(1);
  });
});

describe("Azure SAS renewal counted once", () => {
  function azure(deviceId: string, at: number, operationName: "deviceConnect" | "deviceDisconnect", resultType?: string) {
    const record = {
      time: new Date(at).toISOString(),
      resourceId: "/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-RENEWAL",
      operationName,
      category: "Connections",
      level: resultType ? "Error" : "Information",
      ...(resultType
        ? { resultType, resultDescription: resultType === "401003" ? "IoTHubUnauthorized" : "DeviceConnectionClosedRemotely" }
        : {}),
      properties: JSON.stringify({ deviceId, protocol: "Mqtt", maskedIpAddress: "10.1.2.XXX" }),
    };
    const result = parseAzureConnectionsLog(record);
    if (!result.ok || !result.events[0]) throw new Error(`fixture did not parse: ${result.ok ? "no event" : result.error}`);
    return result.events[0];
  }

  it("counts a 401003 record and its 404104 as one drop on the device page and in the diagnosis", async () => {
    for (const [deviceId, first] of [
      ["azure-renewal-a", "deviceDisconnect"],
      ["azure-renewal-b", "deviceConnect"],
    ] as const) {
      const start = to.getTime() - 10 * 3_600_000;
      const events = [azure(deviceId, start, "deviceConnect")];
      for (let i = 1; i <= 4; i += 1) {
        const at = start + i * 65 * 60_000;
        events.push(
          azure(deviceId, at, first, "401003"),
          azure(deviceId, at + 2_000, "deviceDisconnect", "404104"),
          azure(deviceId, at + 6_000, "deviceConnect"),
        );
      }
      await recordConnectionEvents(database.db, events);
      const device = await getDevice(database.db, deviceId, to);
      expect(device?.stats).toMatchObject({ drops: 4, failedConnects: 0 });
      const diagnosis = await getDeviceDiagnosis(database.db, { deviceId, now: to });
      expect(diagnosis.summary).toMatchObject({ drops: 4, failedConnects: 0 });
      expect(diagnosis.verdict?.analyzer).toBe("token-renewal");
    }
  });
});

describe("code reads", () => {
  it("trends, affected devices and fleet counts come from the stored data", async () => {
    const trend = await getCodeTrend(database.db, { code: "emqx:not_authorized", from, to });
    expect(trend).toHaveLength(3);
    expect(trend.reduce((sum, day) => sum + day.disconnects, 0)).toBeGreaterThan(60);
    const affected = await listCodeDevices(database.db, { code: "emqx:takenover", from, to });
    expect(affected[0]?.deviceId).toBe("cam-dup-id-01");
    const counts = await listCodeCounts(database.db, { from, to });
    expect(counts.get("emqx:bad_username_or_password")).toBeGreaterThan(200);
    expect(counts.has("")).toBe(false);
  });
});
