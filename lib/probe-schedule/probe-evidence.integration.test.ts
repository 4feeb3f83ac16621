import { makeProbeEndpointInput } from "@/lib/testing/factories.ts";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { getIncident } from "@/lib/incidents/incidents.ts";
import { runIncidentDetection } from "@/lib/incidents/record-incidents.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import type { ProbeStepName } from "@/lib/probe/probe-report.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { emqxConnectAndDrop } from "@/lib/testing/emqx-lifecycle.ts";
import { buildProbeReport } from "@/lib/testing/probe-report-factory.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createProbeEndpoint } from "./probe-endpoints.ts";
import { summarizeReport, toStoredReport } from "./run-due-probes.ts";

const testDb = useTestDatabase();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function createScopedEndpoint(node: string) {
  return createProbeEndpoint(
    testDb.db,
    makeProbeEndpointInput({
      name: `broker ${node}`,
      url: `mqtts://${randomUUID().slice(0, 8)}.broker.test:8883`,
      source: "emqx",
      brokerNode: node,
    }),
    { actor: CLI_ACTOR },
  );
}

/** Stores a run as the schedule would, from a factory report. */
async function storeRun(endpointId: string, at: number, failAt?: ProbeStepName, explanation?: string) {
  const report = buildProbeReport({ at: new Date(at), ...(failAt ? { failAt } : {}), ...(explanation ? { explanation } : {}) });
  const summary = summarizeReport(report, null);
  await testDb.db.probeRun.create({
    data: { endpointId, startedAt: new Date(at), finishedAt: new Date(report.finishedAt), ...summary, report: toStoredReport(report) },
  });
}

const uniqueNode = () => `node-${randomUUID().slice(0, 8)}@10.0.0.1`;

describe("scheduled probe runs as evidence for diagnosis and incidents", () => {
  it("a failing probe of the device's broker changes its fleet-wide finding and the incident's description; passing runs say the server was reachable", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 20, 2, 14, 0);
    const devices = Array.from({ length: 8 }, (_, i) => `probe-fleet-${i}-${randomUUID().slice(0, 6)}`);
    await recordConnectionEvents(
      testDb.db,
      devices.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + i * 3_000, "keepalive_timeout", 30 * MINUTE)),
    );
    const [deviceId] = devices;
    if (!deviceId) throw new Error("no device");
    const window = { deviceId, from: new Date(t0 - 6 * HOUR), to: new Date(t0 + HOUR) };
    await runIncidentDetection(testDb.db, {
      from: new Date(t0 - HOUR),
      to: new Date(t0 + HOUR),
      now: new Date(t0 + HOUR),
      thresholds: { minDevices: 5, minFleetFraction: 0.2, windowMs: 2 * MINUTE, quietMs: 5 * MINUTE },
    });
    const incident = await testDb.db.incident.findFirstOrThrow({ where: { brokerNode: node } });

    // No endpoint serves the node: the finding is the plain fleet-wide one, the incident says nothing of probes.
    const before = await getDeviceDiagnosis(testDb.db, window);
    expect(before.verdict?.analyzer).toBe("fleet-wide-drops");
    expect(before.verdict?.verdict).not.toMatch(/probe/);
    expect((await getIncident(testDb.db, incident.id))?.probes).toBeNull();

    const endpoint = await createScopedEndpoint(node);
    await storeRun(endpoint.id, t0 - 4 * MINUTE);
    await storeRun(endpoint.id, t0 + MINUTE);
    const passing = await getDeviceDiagnosis(testDb.db, window);
    expect(passing.verdict?.verdict).toContain(
      `Our own probe of ${endpoint.name} passed all 2 runs around them: the server was reachable from here.`,
    );
    expect((await getIncident(testDb.db, incident.id))?.probes).toMatchObject({ verdict: "probe_passed", runs: 2 });

    // The run nearest the drop failed at TLS: the drop is the server's or the network's, and both say which step.
    await testDb.db.probeRun.deleteMany({ where: { endpointId: endpoint.id, startedAt: new Date(t0 + MINUTE) } });
    await storeRun(endpoint.id, t0 + 30_000, "tls", "The server's certificate expired");
    const failing = await getDeviceDiagnosis(testDb.db, window);
    expect(failing.verdict?.analyzer).toBe("fleet-wide-drops");
    expect(failing.verdict?.verdict).toContain(
      `Our own probe of ${endpoint.name} failed at TLS at 2026-11-20 02:14:30 UTC (The server's certificate expired) — the server or the network, not the device.`,
    );
    expect(failing.verdict?.evidence.stats).toMatchObject({ probeFailedDrops: 1, probeFailedStep: "tls", probeEndpoint: endpoint.name });
    const described = await getIncident(testDb.db, incident.id);
    expect(described?.probes).toMatchObject({ verdict: "probe_failed", failedRuns: [{ failedStep: "tls" }] });
    expect(described?.probes?.sentence).toContain(`Our own probe of ${endpoint.name} failed at TLS at 2026-11-20 02:14:30 UTC`);
  });

  it("drops of a device alone on its broker become server-side when our probe failed at the same time", async () => {
    const node = uniqueNode();
    const deviceId = `probe-alone-${randomUUID().slice(0, 8)}`;
    const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);
    // Irregular drops, a device-side pattern on its own.
    const dropsAt = [0, 47, 113, 170, 262, 301, 388].map((minutes) => t0 + minutes * MINUTE);
    await recordConnectionEvents(
      testDb.db,
      dropsAt.flatMap((at) => emqxConnectAndDrop(node, deviceId, at, "keepalive_timeout", 30 * MINUTE)),
    );
    const window = { deviceId, from: new Date(t0 - HOUR), to: new Date(t0 + 8 * HOUR) };

    const before = await getDeviceDiagnosis(testDb.db, window);
    expect(before.findings.map((finding) => finding.analyzer)).not.toContain("fleet-wide-drops");

    const endpoint = await createScopedEndpoint(node);
    for (const at of dropsAt) await storeRun(endpoint.id, at + 2 * MINUTE, "mqtt_connect", "CONNACK 3: server unavailable");
    const after = await getDeviceDiagnosis(testDb.db, window);
    expect(after.verdict).toMatchObject({
      analyzer: "fleet-wide-drops",
      title: "Drops while our probe of the broker failed (server or network side)",
    });
    expect(after.verdict?.verdict).toContain(`All 7 of this device's drops coincided with our own probe of the broker failing`);
    expect(after.verdict?.verdict).toContain("failed at MQTT CONNECT");
  });
});
