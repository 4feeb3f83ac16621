import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuthenticatedActor } from "@/lib/auth/principal.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { listDeviceProbeRuns } from "./list-device-probe-runs.ts";
import type { ProbeReport } from "./probe-report.ts";
import { recordDeviceProbeRun } from "./record-device-probe-run.ts";

const actor: AuthenticatedActor = { type: "token", id: randomUUID(), label: "field laptop", role: "support" };

function buildReport(startedAt: string, ok: boolean): ProbeReport {
  return {
    version: 1,
    target: { url: "mqtts://broker.example.com:8883", host: "broker.example.com", port: 8883, protocol: "mqtts", mqttVersion: 5 },
    startedAt,
    finishedAt: startedAt,
    ok,
    steps: [
      {
        name: "dns",
        status: ok ? "pass" : "fail",
        durationMs: 3,
        summary: "dns",
        explanation: null,
        code: ok ? null : "agent:ENOTFOUND",
        flags: [],
        details: {},
      },
    ],
  };
}

describe("device probe runs", () => {
  const database = useTestDatabase();

  it("stores uploaded reports for the device and lists them newest first", async () => {
    const deviceId = `probe-device/${randomUUID()}`;
    await database.db.device.create({ data: { id: deviceId } });
    await recordDeviceProbeRun(database.db, { deviceId, value: buildReport("2026-11-01T10:00:00.000Z", false), actor });
    await recordDeviceProbeRun(database.db, { deviceId, value: buildReport("2026-11-01T11:00:00.000Z", true), actor });
    const runs = await listDeviceProbeRuns(database.db, deviceId);
    expect(runs.map((run) => [run.report.startedAt, run.report.ok, run.uploadedBy])).toEqual([
      ["2026-11-01T11:00:00.000Z", true, "field laptop"],
      ["2026-11-01T10:00:00.000Z", false, "field laptop"],
    ]);
    expect(await listDeviceProbeRuns(database.db, `other-${randomUUID()}`)).toEqual([]);
  });

  it("refuses what is not a probe report", async () => {
    const deviceId = `probe-device/${randomUUID()}`;
    await database.db.device.create({ data: { id: deviceId } });
    await expect(recordDeviceProbeRun(database.db, { deviceId, value: { version: 1, ok: true }, actor })).rejects.toMatchObject({
      kind: "invalid",
      code: "invalid_probe_report",
    });
    expect(await listDeviceProbeRuns(database.db, deviceId)).toEqual([]);
  });
});
