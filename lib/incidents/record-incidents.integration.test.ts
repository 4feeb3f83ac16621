import { randomUUID } from "node:crypto";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { describe, expect, it } from "vitest";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { emqxConnectAndDrop } from "@/lib/testing/emqx-lifecycle.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import type { DetectionThresholds } from "./detect-incidents.ts";
import { startIncidentDetectionJob } from "./incident-detection-job.ts";
import { addIncidentNote, getIncident } from "./incidents.ts";
import { createManualIncident, runIncidentDetection } from "./record-incidents.ts";

const testDb = useTestDatabase();

const THRESHOLDS: DetectionThresholds = { minDevices: 5, minFleetFraction: 0.2, windowMs: 2 * 60_000, quietMs: 5 * 60_000 };
const HOUR = 3_600_000;

function uniqueNode(): string {
  return `node-${randomUUID().slice(0, 8)}@10.0.0.1`;
}

describe("runIncidentDetection against a real Postgres", () => {
  it("opens one incident for many devices dropping together, however often and however concurrently it runs", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 2, 10, 0, 0);
    const deviceIds = Array.from({ length: 20 }, (_, i) => `mass-${i}-${randomUUID().slice(0, 6)}`);
    await recordConnectionEvents(
      testDb.db,
      deviceIds.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + i * 2_000)),
    );
    const window = { from: new Date(t0 - HOUR), to: new Date(t0 + HOUR), now: new Date(t0 + HOUR), thresholds: THRESHOLDS };

    const runs = await Promise.all([runIncidentDetection(testDb.db, window), runIncidentDetection(testDb.db, window)]);
    expect(runs.map((r) => r.opened).sort()).toEqual([0, 1]);
    expect(await runIncidentDetection(testDb.db, window)).toMatchObject({ opened: 0 });

    const incidents = await testDb.db.incident.findMany({ where: { brokerNode: node }, include: { devices: true } });
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({
      trigger: "mass_drop",
      status: "closed",
      affectedDevices: 20,
      dominantReason: "keepalive_timeout",
      source: "emqx",
    });
    expect(incident?.startedAt).toEqual(new Date(t0));
    expect(incident?.endedAt).toEqual(new Date(t0 + 19 * 2_000));
    expect(incident?.devices.map((d) => d.deviceId).sort()).toEqual([...deviceIds].sort());
  });

  it("extends an open incident as more devices drop instead of opening a second one", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 3, 10, 0, 0);
    const first = Array.from({ length: 10 }, (_, i) => `ext-a${i}-${randomUUID().slice(0, 6)}`);
    await recordConnectionEvents(
      testDb.db,
      first.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + i * 1_000)),
    );
    const thresholds = { ...THRESHOLDS, minFleetFraction: 0 };
    const run1 = await runIncidentDetection(testDb.db, {
      from: new Date(t0 - HOUR),
      to: new Date(t0 + 60_000),
      now: new Date(t0 + 60_000),
      thresholds,
    });
    expect(run1.opened).toBe(1);
    expect(await testDb.db.incident.findFirst({ where: { brokerNode: node } })).toMatchObject({ status: "open", endedAt: null });

    const later = Array.from({ length: 3 }, (_, i) => `ext-b${i}-${randomUUID().slice(0, 6)}`);
    await recordConnectionEvents(
      testDb.db,
      later.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + 3 * 60_000 + i * 1_000)),
    );
    // The lookback no longer reaches the incident's start: the incident is extended and keeps every device.
    await runIncidentDetection(testDb.db, {
      from: new Date(t0 + 30_000),
      to: new Date(t0 + HOUR),
      now: new Date(t0 + HOUR),
      thresholds: { ...thresholds, minDevices: 2 },
    });
    const incidents = await testDb.db.incident.findMany({ where: { brokerNode: node } });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ affectedDevices: 13, status: "closed" });
  });

  it("leaves the devices that always flap out of a burst: its start, devices, reasons and recovery are the burst's own", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 6, 10, 0, 0);
    const flappers = Array.from({ length: 3 }, (_, i) => `flap-${i}-${randomUUID().slice(0, 6)}`);
    const burst = Array.from({ length: 12 }, (_, i) => `restart-${i}-${randomUUID().slice(0, 6)}`);
    const flapping = flappers.flatMap((id, f) =>
      Array.from({ length: 60 }, (_, k) =>
        emqxConnectAndDrop(node, id, t0 - 10 * 60_000 + f * 3_000 + k * 20_000, "keepalive_timeout", 15_000),
      ).flat(),
    );
    const restart = burst.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + i * 1_000, "tcp_closed"));
    // Every restarted device is back five minutes later.
    const back = burst.map((id) => emqxConnectAndDrop(node, id, t0 + 6 * 60_000)[0]!);
    await recordConnectionEvents(testDb.db, [...flapping, ...restart, ...back]);
    const thresholds = { minDevices: 10, minFleetFraction: 0, windowMs: 2 * 60_000, quietMs: 5 * 60_000 };

    await runIncidentDetection(testDb.db, { from: new Date(t0 - HOUR), to: new Date(t0 + HOUR), now: new Date(t0 + HOUR), thresholds });
    const incidents = await testDb.db.incident.findMany({ where: { brokerNode: node }, include: { devices: true } });
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident.startedAt).toEqual(new Date(t0));
    expect(incident.devices.map((d) => d.deviceId).sort()).toEqual([...burst].sort());
    expect(incident.affectedDevices).toBe(12);
    expect(Object.keys(incident.reasonCounts as object)).toEqual([incident.dominantReason]);
    expect(Object.values(incident.reasonCounts as object)).toEqual([12]);
    const details = await getIncident(testDb.db, incident.id);
    expect(details?.recovery).toMatchObject({ affected: 12, reconnected: 12 });

    // Extending over the same span (as the periodic job does once the lookback no longer reaches the start) keeps it so.
    await runIncidentDetection(testDb.db, { from: new Date(t0 + 30_000), to: new Date(t0 + HOUR), now: new Date(t0 + HOUR), thresholds });
    const again = await testDb.db.incident.findMany({ where: { brokerNode: node }, include: { devices: true } });
    expect(again).toHaveLength(1);
    expect(again[0]?.startedAt).toEqual(new Date(t0));
    expect(again[0]?.devices.map((d) => d.deviceId).sort()).toEqual([...burst].sort());
  });

  it("opens nothing for one device storming", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 4, 10, 0, 0);
    const deviceId = `storm-${randomUUID().slice(0, 6)}`;
    await recordConnectionEvents(
      testDb.db,
      Array.from({ length: 60 }, (_, i) => emqxConnectAndDrop(node, deviceId, t0 + i * 1_000 * 90)).flat(),
    );
    const run = await runIncidentDetection(testDb.db, {
      from: new Date(t0 - HOUR),
      to: new Date(t0 + 3 * HOUR),
      now: new Date(t0 + 3 * HOUR),
      thresholds: { ...THRESHOLDS, minFleetFraction: 0 },
    });
    expect(run.opened).toBe(0);
    expect(await testDb.db.incident.count({ where: { brokerNode: node } })).toBe(0);
  });

  it("creates a manual incident from a window and a reason filter", async () => {
    const node = uniqueNode();
    const t0 = Date.UTC(2026, 10, 5, 10, 0, 0);
    const timeouts = [`man-a-${randomUUID().slice(0, 6)}`, `man-b-${randomUUID().slice(0, 6)}`];
    const other = `man-c-${randomUUID().slice(0, 6)}`;
    await recordConnectionEvents(testDb.db, [
      ...timeouts.flatMap((id, i) => emqxConnectAndDrop(node, id, t0 + i * 1_000)),
      ...emqxConnectAndDrop(node, other, t0 + 5_000, "tcp_closed"),
    ]);
    const created = await createManualIncident(
      testDb.db,
      { from: new Date(t0 - 1_000), to: new Date(t0 + 10_000), reason: "keepalive_timeout" },
      { actor: CLI_ACTOR },
    );
    expect(created.affectedDevices).toBe(2);
    const devices = await testDb.db.incidentDevice.findMany({ where: { incidentId: created.id } });
    expect(devices.map((d) => d.deviceId).sort()).toEqual([...timeouts].sort());
    expect(await testDb.db.auditEvent.count({ where: { action: "incident.created", targetId: created.id } })).toBe(1);

    await addIncidentNote(testDb.db, { incidentId: created.id, body: "checked the broker" }, { actor: CLI_ACTOR });
    const details = await getIncident(testDb.db, created.id);
    expect(details?.notes.map((n) => n.body)).toEqual(["checked the broker"]);
    // Each device reconnected 60 s before its drop only: nothing after the start yet.
    expect(details?.recovery).toMatchObject({ affected: 2, reconnected: 0 });
    expect(await testDb.db.auditEvent.count({ where: { action: "incident.note_added", targetId: created.id } })).toBe(1);
    expect(await addIncidentNote(testDb.db, { incidentId: randomUUID(), body: "x" }, { actor: CLI_ACTOR })).toBeNull();
    await expect(
      createManualIncident(testDb.db, { from: new Date(t0 - 2 * HOUR), to: new Date(t0 - HOUR) }, { actor: CLI_ACTOR }),
    ).rejects.toMatchObject({ code: "no_drops" });
  });

  it("the worker's periodic job opens an open incident for drops happening now", async () => {
    const node = uniqueNode();
    const now = Date.now();
    const deviceIds = Array.from({ length: 8 }, (_, i) => `live-${i}-${randomUUID().slice(0, 6)}`);
    await recordConnectionEvents(
      testDb.db,
      deviceIds.flatMap((id, i) => emqxConnectAndDrop(node, id, now - 30_000 + i * 1_000)),
    );
    const log = createLogger("test");
    const jobs = await startJobQueue(testDb.db, log);
    const job = await startIncidentDetectionJob(jobs, testDb.db, log, {
      intervalMs: 1_000,
      lookbackMs: 10 * 60_000,
      thresholds: { ...THRESHOLDS, minFleetFraction: 0 },
    });
    try {
      const incident = await waitFor(
        () => testDb.db.incident.findFirst({ where: { brokerNode: node } }),
        (found) => found !== null,
      );
      expect(incident).toMatchObject({ status: "open", affectedDevices: 8, endedAt: null });
    } finally {
      await job.stop();
      await jobs.stop();
    }
  });
});
