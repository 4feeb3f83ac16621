import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { emqxLifecycleEvent as emqx } from "@/lib/testing/emqx-lifecycle.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import type { DipThresholds } from "./detect-connected-dips.ts";
import type { DetectionThresholds } from "./detect-incidents.ts";
import { runConnectedDipDetection, type ConnectedHistory } from "./record-connected-dips.ts";
import { runIncidentDetection } from "./record-incidents.ts";

// Each test gets its own database: the whole-fleet scope counts every device in it.
let testDb: TestDatabase | undefined;
afterEach(async () => {
  await testDb?.drop();
  testDb = undefined;
});

const MINUTE = 60_000;
const DROPS: DetectionThresholds = { minDevices: 5, minFleetFraction: 0.2, windowMs: 2 * MINUTE, quietMs: 5 * MINUTE };
const DIP: DipThresholds = { dipPercent: 20, minDevices: 5, windowMs: 10 * MINUTE };

/** A fleet of `size` devices on one node, all connected since `since`, plus normal churn: 3 devices reconnecting every few minutes. */
async function seedFleet(db: TestDatabase["db"], node: string, size: number, since: number, churnUntil: number): Promise<string[]> {
  const ids = Array.from({ length: size }, (_, i) => `dip-${i}-${randomUUID().slice(0, 6)}`);
  const events: ConnectionEvent[] = ids.map((id) => emqx(node, id, "connected", since, since));
  ids.slice(0, 3).forEach((id, i) => {
    let connectedAt = since;
    for (let at = since + (4 + i) * MINUTE; at < churnUntil; at += 7 * MINUTE) {
      events.push(emqx(node, id, "disconnected", connectedAt, at, "normal"), emqx(node, id, "connected", at + 30_000, at + 30_000));
      connectedAt = at + 30_000;
    }
  });
  await recordConnectionEvents(db, events);
  return ids;
}

async function detect(db: TestDatabase["db"], at: number, history: ConnectedHistory) {
  const now = new Date(at);
  const drops = await runIncidentDetection(db, { from: new Date(at - 30 * MINUTE), to: now, now, thresholds: DROPS });
  const dips = await runConnectedDipDetection(db, { now, thresholds: DIP, history });
  return { drops, dips };
}

describe("connected-device dips against a real Postgres, through the real writer", () => {
  it("opens one incident for a mass disconnect too slow to be a mass drop, none for normal churn, and closes it on recovery", async () => {
    testDb = await createTestDatabase();
    const db = testDb.db;
    const node = "emqx@10.0.0.9";
    const t0 = Date.UTC(2026, 10, 6, 10, 0, 0);
    const ids = await seedFleet(db, node, 30, t0 - 60 * MINUTE, t0 + 30 * MINUTE);
    const history: ConnectedHistory = new Map();

    // Normal churn only: nothing.
    for (const at of [t0 - 20 * MINUTE, t0 - 10 * MINUTE, t0 - MINUTE]) {
      expect(await detect(db, at, history)).toEqual({
        drops: { opened: 0, extended: 0, closed: 0 },
        dips: { opened: 0, attached: 0, recovered: 0 },
      });
    }

    // 12 of 30 devices leave one by one over 7 minutes: never 5 within 2 minutes, but the count falls by 40 %.
    const leaving = ids.slice(10, 22);
    await recordConnectionEvents(
      db,
      leaving.map((id, i) => emqx(node, id, "disconnected", t0 - 60 * MINUTE, t0 + i * 40_000, "keepalive_timeout")),
    );
    expect((await detect(db, t0 + 8 * MINUTE, history)).dips).toEqual({ opened: 1, attached: 0, recovered: 0 });
    expect((await detect(db, t0 + 9 * MINUTE, history)).dips).toEqual({ opened: 0, attached: 0, recovered: 0 });

    const [incident, ...others] = await db.incident.findMany({ include: { devices: true } });
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      trigger: "connected_dip",
      status: "open",
      source: "emqx",
      brokerNode: node,
      connectedBaseline: 30,
      dominantReason: "keepalive_timeout",
    });
    // 18 left, one fewer when a churning device is between its disconnect and reconnect at that instant.
    expect(incident?.connectedLow).toBeOneOf([17, 18]);
    expect(incident?.title).toMatch(/fell from 30 to 1[78] /);
    expect(incident?.devices.map((device) => device.deviceId)).toEqual(expect.arrayContaining(leaving));

    // They come back: the incident closes.
    await recordConnectionEvents(
      db,
      leaving.map((id) => emqx(node, id, "connected", t0 + 12 * MINUTE, t0 + 12 * MINUTE)),
    );
    expect((await detect(db, t0 + 13 * MINUTE, history)).dips).toEqual({ opened: 0, attached: 0, recovered: 1 });
    const closed = await db.incident.findUniqueOrThrow({ where: { id: incident?.id ?? "" } });
    expect(closed).toMatchObject({
      status: "closed",
      endedAt: new Date(t0 + 13 * MINUTE),
      connectedRecoveredAt: new Date(t0 + 13 * MINUTE),
    });
    expect((await detect(db, t0 + 20 * MINUTE, history)).dips).toEqual({ opened: 0, attached: 0, recovered: 0 });
    expect(await db.incident.count()).toBe(1);
  });

  it("records a dip on the mass-drop incident of the same scope instead of opening a second one", async () => {
    testDb = await createTestDatabase();
    const db = testDb.db;
    const node = "emqx@10.0.0.7";
    const t0 = Date.UTC(2026, 10, 7, 10, 0, 0);
    const ids = await seedFleet(db, node, 30, t0 - 60 * MINUTE, t0 - 30 * MINUTE);
    const history: ConnectedHistory = new Map();
    await detect(db, t0 - 5 * MINUTE, history);

    // A broker restart: 20 devices dropped within 40 s, and they stay away for a while.
    const dropped = ids.slice(5, 25);
    await recordConnectionEvents(
      db,
      dropped.map((id, i) => emqx(node, id, "disconnected", t0 - 60 * MINUTE, t0 + i * 2_000, "server_shutting_down")),
    );
    const run = await detect(db, t0 + 2 * MINUTE, history);
    expect(run.drops.opened).toBe(1);
    expect(run.dips).toEqual({ opened: 0, attached: 1, recovered: 0 });
    const [incident, ...others] = await db.incident.findMany();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      trigger: "mass_drop",
      brokerNode: node,
      affectedDevices: 20,
      connectedBaseline: 30,
      connectedLow: 10,
      connectedRecoveredAt: null,
    });

    await recordConnectionEvents(
      db,
      dropped.map((id) => emqx(node, id, "connected", t0 + 4 * MINUTE, t0 + 4 * MINUTE)),
    );
    expect((await detect(db, t0 + 5 * MINUTE, history)).dips).toEqual({ opened: 0, attached: 0, recovered: 1 });
    expect(await db.incident.count()).toBe(1);
    expect(await db.incident.findUniqueOrThrow({ where: { id: incident?.id ?? "" } })).toMatchObject({
      connectedLow: 10,
      connectedRecoveredAt: new Date(t0 + 5 * MINUTE),
    });
  });
});
