import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { insertEventRowsSql } from "@/lib/ingest/event-rows.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { expireSilentDevices } from "./expire-silent-devices.ts";

const DAY = 86_400_000;
const testDb = useTestDatabase();
let db: Db;
beforeAll(async () => {
  db = testDb.db;
});

const id = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const ago = (days: number) => new Date(Date.now() - days * DAY);

async function deviceSilentSince(deviceId: string, since: Date, state: "online" | "offline" = "offline") {
  await db.device.create({ data: { id: deviceId, state } });
  await db.$executeRaw`UPDATE devices SET updated_at = ${since} WHERE id = ${deviceId}`;
}

describe("devices silent past their period", () => {
  it("are forgotten with their rows, unless connected, in an open incident, on a usable share link or recently heard", async () => {
    const silent = id("silent");
    const connected = id("connected-for-years");
    const recent = id("recent");
    const inIncident = id("in-open-incident");
    const shared = id("shared");
    for (const device of [silent, inIncident, shared]) await deviceSilentSince(device, ago(800));
    await deviceSilentSince(connected, ago(800), "online");
    await deviceSilentSince(recent, ago(10));
    await db.deviceReasonLatest.create({ data: { source: "test", deviceId: silent, lastBucket: ago(800) } });
    await db.deviceFirmwareChange.create({ data: { deviceId: silent, toFirmware: "1.0.0", changedAt: ago(800) } });
    const incident = await db.incident.create({
      data: {
        trigger: "manual",
        status: "open",
        title: "broker outage",
        startedAt: ago(800),
        lastDropAt: ago(800),
        affectedDevices: 1,
        devices: { create: { deviceId: inIncident, firstDropAt: ago(800), drops: 1, reason: "connection_lost" } },
      },
    });
    await db.shareLink.create({
      data: {
        tokenHash: randomUUID(),
        deviceId: shared,
        windowFrom: ago(801),
        windowTo: ago(800),
        createdByLabel: "test",
        expiresAt: new Date(Date.now() + DAY),
      },
    });

    const forgotten = await expireSilentDevices(db, ago(730), new Date());

    expect(forgotten).toBe(1);
    const kept = await db.device.findMany({ where: { id: { in: [silent, connected, recent, inIncident, shared] } }, select: { id: true } });
    expect(kept.map((d) => d.id).sort()).toEqual([connected, inIncident, recent, shared].sort());
    expect(await db.deviceReasonLatest.count({ where: { deviceId: silent } })).toBe(0);
    expect(await db.deviceFirmwareChange.count({ where: { deviceId: silent } })).toBe(0);
    expect(await db.incidentDevice.count({ where: { incidentId: incident.id } })).toBe(1);
  });

  it("come back when the pass deletes one between a writer's events insert and its state read", async () => {
    const device = id("back-again");
    await deviceSilentSince(device, ago(800));
    const connected = makeConnectionEvent({ deviceId: device, kind: "connected", occurredAt: ago(0.002) });
    const dropped = makeConnectionEvent({ deviceId: device, kind: "disconnected", occurredAt: ago(0.001) });
    // The pass's transaction holds an uncommitted copy of one of the batch's events, so the writer's events insert
    // (which saw the device row) waits on it; the pass then deletes the device, whose history trigger takes that copy
    // with it, and commits: the writer's insert goes on and its state read finds no device row.
    const pass = new pg.Client({ connectionString: testDb.url });
    await pass.connect();
    try {
      await pass.query("BEGIN");
      const copy = insertEventRowsSql([{ event: connected, raw: "{}", flags: [] }]);
      await pass.query(copy.text, copy.values);
      const writing = recordConnectionEvents(db, [connected, dropped]);
      await waitUntilAnotherSessionWaitsOnALock(pass);
      await pass.query("DELETE FROM devices WHERE id = $1", [device]);
      await pass.query("COMMIT");
      expect((await writing).inserted).toBe(2);
    } finally {
      await pass.end();
    }
    const row = await db.device.findUnique({ where: { id: device }, select: { state: true, connectCount: true, disconnectCount: true } });
    expect(row).toEqual({ state: "offline", connectCount: 1, disconnectCount: 1 });
    expect(await db.connectionEvent.count({ where: { deviceId: device } })).toBe(2);
  });
});

async function waitUntilAnotherSessionWaitsOnALock(observer: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
