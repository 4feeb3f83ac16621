import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, Prisma, type Db } from "@/lib/db/client.ts";
import { startEmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { copyMigratedEmbeddedDataDir } from "@/demo/db/embedded-template.ts";
import type { ConnectionEvent, Reason } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { getFleetBreakdown } from "@/lib/queries/get-fleet-breakdown.ts";
import { getFleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { countActiveDevices, countActiveDevicesFromMinutesSql } from "@/lib/queries/count-active-devices.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { z } from "zod";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { getFleetSeries } from "./get-fleet-series.ts";
import { listAffectedDevices } from "./list-affected-devices.ts";
import { listDisconnectSeries } from "./list-disconnect-series.ts";
import { listFilterOptions } from "./list-filter-options.ts";
import { listFlappingDevices } from "./list-flapping-devices.ts";
import { listNewCodes } from "./list-new-codes.ts";
import { listOfflineDevices } from "./list-offline-devices.ts";

const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 9, 10, 0, 0, 0));
const TO = new Date(FROM.getTime() + 24 * HOUR);
const RANGE = { from: FROM, to: TO };

function ev(
  deviceId: string,
  kind: ConnectionEvent["kind"],
  atMs: number,
  extra: { reason?: Reason; code?: string | null; node?: string; source?: string } = {},
): ConnectionEvent {
  return makeConnectionEvent({
    deviceId,
    kind,
    occurredAt: new Date(FROM.getTime() + atMs),
    ...(extra.reason ? { reason: extra.reason } : {}),
    initiator: "network",
    code: extra.code ?? null,
    source: extra.source ?? "emqx",
    brokerNode: extra.node ?? "n1",
  });
}

/** A session that ends in a drop: connect, then the disconnect a minute later. */
function drop(deviceId: string, atMs: number, reason: Reason, code: string, node = "n1"): ConnectionEvent[] {
  return [ev(deviceId, "connected", atMs, { node }), ev(deviceId, "disconnected", atMs + 60_000, { reason, code, node })];
}

async function seed(db: Db): Promise<void> {
  const events = [
    // Before the range: the previous period saw tcp_closed once.
    ...drop("meter-a", -2 * HOUR, "connection_lost", "emqx:tcp_closed"),
    // meter-a flaps: three drops within one hour, then reconnects for good.
    ...drop("meter-a", 2 * HOUR, "connection_lost", "emqx:tcp_closed"),
    ...drop("meter-a", 2 * HOUR + 10 * 60_000, "connection_lost", "emqx:tcp_closed"),
    ...drop("meter-a", 2 * HOUR + 20 * 60_000, "keepalive_timeout", "emqx:keepalive_timeout"),
    ev("meter-a", "connected", 3 * HOUR),
    // gw-b: one drop with a code never seen before, on node n2, and stays offline.
    ...drop("gw-b", 5 * HOUR, "not_authorized", "emqx:brand_new", "n2"),
    // cam-c: clean client disconnects only (not drops), offline since early on.
    ...drop("cam-c", 1 * HOUR, "client_disconnect", "emqx:normal"),
    // valve-d: refused connects only.
    ev("valve-d", "connect_failed", 6 * HOUR, { reason: "auth_failed", code: "connack:5" }),
  ];
  await recordConnectionEvents(db, events);
  await db.device.update({
    where: { id: "meter-a" },
    data: { firmware: "fw-1", region: "eu-west-1", network: "lte", labels: { model: "M1", tier: "gold" } },
  });
  await db.device.update({
    where: { id: "gw-b" },
    data: { firmware: "fw-2", region: "us-east-1", network: "wifi", labels: { model: "G2" } },
  });
  await db.device.update({
    where: { id: "cam-c" },
    data: { firmware: "fw-1", region: "us-east-1", network: "wifi", labels: { model: "C3" } },
  });
}

/** Postgres and the embedded PGlite that `npm start` uses: the fleet SQL (date_bin, FILTER, mode(), jsonb) must run on both. */
const BACKENDS: [string, () => Promise<{ db: Db; stop: () => Promise<void> }>][] = [
  [
    "Postgres",
    async () => {
      const database: TestDatabase = await createTestDatabase();
      return { db: database.db, stop: () => database.drop() };
    },
  ],
  [
    "embedded PGlite",
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "linkscope-fleet-pglite-"));
      await copyMigratedEmbeddedDataDir(dataDir);
      const embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
      const db = createDb(embedded.url, 2);
      return {
        db,
        stop: async () => {
          await db.$disconnect();
          await embedded.stop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(BACKENDS)("fleet queries over the rollups on %s", (_name, start) => {
  const testDb = {} as { db: Db; stop: () => Promise<void> };
  beforeAll(async () => {
    Object.assign(testDb, await start());
    await seed(testDb.db);
  }, 120_000);
  afterAll(async () => {
    await testDb.stop?.();
  });

  it("breaks down by code with change against the previous period, and by device metadata", async () => {
    const all = await getFleetBreakdown(testDb.db, { by: "code", ...RANGE });
    expect(all.items.map((item) => [item.key, item.total, item.change.previous])).toEqual([
      ["emqx:tcp_closed", 2, 1],
      ["connack:5", 1, 0],
      ["emqx:brand_new", 1, 0],
      ["emqx:keepalive_timeout", 1, 0],
      ["emqx:normal", 1, 0],
    ]);
    expect(all.items[0]?.sparkline.reduce((a, b) => a + b, 0)).toBe(2);
    expect(all.items.reduce((sum, item) => sum + item.share, 0)).toBeCloseTo(1);

    const fw1 = await getFleetBreakdown(testDb.db, { by: "code", ...RANGE, filter: { firmware: "fw-1" } });
    expect(fw1.items.map((item) => item.key)).toEqual(["emqx:tcp_closed", "emqx:keepalive_timeout", "emqx:normal"]);
    const gold = await getFleetBreakdown(testDb.db, {
      by: "reason",
      ...RANGE,
      filter: { labels: { tier: "gold" }, region: "eu-west-1", network: "lte" },
    });
    expect(gold.items.map((item) => [item.key, item.total])).toEqual([
      ["connection_lost", 2],
      ["keepalive_timeout", 1],
    ]);
    const n2 = await getFleetBreakdown(testDb.db, { by: "reason", ...RANGE, filter: { source: "emqx", brokerNode: "n2" } });
    expect(n2.items.map((item) => [item.key, item.total])).toEqual([["not_authorized", 1]]);
    const nobody = await getFleetBreakdown(testDb.db, { by: "reason", ...RANGE, filter: { firmware: "fw-404" } });
    expect(nobody.items).toEqual([]);
  });

  it("drills down to the devices behind a reason or code", async () => {
    const tcp = await listAffectedDevices(testDb.db, { by: "code", key: "emqx:tcp_closed", ...RANGE, filter: {}, limit: 10 });
    expect(tcp).toMatchObject({
      totalDevices: 1,
      devices: [{ deviceId: "meter-a", disconnects: 2, failedConnects: 0, total: 2, state: "online" }],
    });
    const auth = await listAffectedDevices(testDb.db, { by: "reason", key: "auth_failed", ...RANGE, filter: {}, limit: 10 });
    expect(auth.devices.map((d) => [d.deviceId, d.failedConnects])).toEqual([["valve-d", 1]]);
    const filtered = await listAffectedDevices(testDb.db, {
      by: "code",
      key: "emqx:tcp_closed",
      ...RANGE,
      filter: { firmware: "fw-2" },
      limit: 10,
    });
    expect(filtered).toEqual({ totalDevices: 0, devices: [] });
  });

  it("lists flapping devices by drops per hour, without clean client disconnects", async () => {
    const flapping = await listFlappingDevices(testDb.db, { ...RANGE, filter: {}, limit: 10 });
    expect(flapping.map((d) => [d.deviceId, d.drops, d.peakHourDrops, d.topReason])).toEqual([
      ["meter-a", 3, 3, "connection_lost"],
      ["gw-b", 1, 1, "not_authorized"],
    ]);
    expect(flapping[0]?.dropsPerHour).toBeCloseTo(3 / 24);
    expect(await listFlappingDevices(testDb.db, { ...RANGE, filter: { region: "us-east-1" }, limit: 10 })).toHaveLength(1);
  });

  it("lists devices offline longest with their last reason", async () => {
    const offline = await listOfflineDevices(testDb.db, { filter: {}, limit: 10 });
    expect(offline.totalOffline).toBe(3);
    expect(offline.devices.map((d) => [d.deviceId, d.lastReason, d.lastCode])).toEqual([
      ["cam-c", "client_disconnect", "emqx:normal"],
      ["gw-b", "not_authorized", "emqx:brand_new"],
      ["valve-d", "auth_failed", "connack:5"],
    ]);
    expect(
      (await listOfflineDevices(testDb.db, { filter: { network: "wifi", brokerNode: "n2" }, limit: 10 })).devices.map((d) => d.deviceId),
    ).toEqual(["gw-b"]);
  });

  it("lists codes first seen in the range, never those seen before it", async () => {
    const codes = await listNewCodes(testDb.db, { ...RANGE, filter: {}, limit: 10 });
    expect(codes.map((c) => c.code).sort()).toEqual(["connack:5", "emqx:brand_new", "emqx:keepalive_timeout", "emqx:normal"]);
    expect(codes.find((c) => c.code === "emqx:brand_new")).toMatchObject({
      firstDeviceId: "gw-b",
      reason: "not_authorized",
      count: 1,
      devices: 1,
    });
    const later = await listNewCodes(testDb.db, {
      from: new Date(FROM.getTime() + 4 * HOUR),
      to: TO,
      filter: { firmware: "fw-2" },
      limit: 10,
    });
    expect(later.map((c) => c.code)).toEqual(["emqx:brand_new"]);
  });

  it("serves connected devices and disconnects per interval, scoped by node", async () => {
    const series = await getFleetSeries(testDb.db, { ...RANGE, filter: {} });
    expect(series.stepMs).toBe(10 * 60_000);
    expect(series.connected).toHaveLength(144);
    expect(series.connected.at(-1)?.connected).toBe(1);
    expect(Math.max(...series.connected.map((p) => p.connected))).toBe(1);
    expect(series.disconnects.total).toBe(5);
    expect(series.disconnects.reasons[0]).toBe("connection_lost");
    const n2 = await getFleetSeries(testDb.db, { ...RANGE, filter: { brokerNode: "n2" } });
    expect(n2.disconnects.total).toBe(1);
    expect(n2.connected.find((p) => p.t === new Date(FROM.getTime() + 5 * HOUR).toISOString())?.connected).toBe(0);
    expect(n2.connected.find((p) => p.t === new Date(FROM.getTime() + 4 * HOUR).toISOString())?.connected).toBe(0);
  });

  it("reads quarter days (decision 046) to the totals of the minute reading", async () => {
    for (const filter of [{}, { firmware: "fw-1" }, { source: "emqx", brokerNode: "n2" }]) {
      const minutes = await listDisconnectSeries(testDb.db, { ...RANGE, stepMs: 10 * 60_000, filter });
      const quarterDays = await listDisconnectSeries(testDb.db, { ...RANGE, stepMs: 6 * HOUR, filter });
      expect(quarterDays.bars).toHaveLength(4);
      expect(quarterDays.total, JSON.stringify(filter)).toBe(minutes.total);
    }
    expect((await getFleetSummary(testDb.db, RANGE)).disconnects).toBe(5);
  });

  it("keeps each device's newest minute per scope (device_reason_latest, decision 055) and counts active devices from it", async () => {
    const Latest = z.object({ source: z.string(), broker_node: z.string(), device_id: z.string(), last_bucket: SqlDate });
    const expected = await queryRows(
      testDb.db,
      "newestMinutes",
      Latest,
      Prisma.sql`SELECT source, broker_node, device_id, MAX(bucket) AS last_bucket FROM device_reason_minute GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(expected.length).toBeGreaterThan(2);
    expect(
      await queryRows(
        testDb.db,
        "latestRows",
        Latest,
        Prisma.sql`SELECT source, broker_node, device_id, last_bucket FROM device_reason_latest ORDER BY 1, 2, 3`,
      ),
    ).toEqual(expected);
    const scope = { source: "emqx", brokerNode: "n1", side: "broker" } as const;
    const [fromMinutes] = await queryRows(
      testDb.db,
      "countFromMinutes",
      z.object({ devices: z.number() }),
      countActiveDevicesFromMinutesSql("meter-a", scope, RANGE.from, RANGE.to),
    );
    expect(await countActiveDevices(testDb.db, "meter-a", scope, RANGE.from, RANGE.to)).toBe(fromMinutes?.devices);
  });

  it("offers the filter values the data has", async () => {
    expect(await listFilterOptions(testDb.db)).toEqual({
      sources: ["emqx"],
      brokerNodes: ["n1", "n2"],
      firmware: ["fw-1", "fw-2"],
      regions: ["eu-west-1", "us-east-1"],
      networks: ["lte", "wifi"],
      labels: ["model=C3", "model=G2", "model=M1", "tier=gold"],
    });
  });
});
