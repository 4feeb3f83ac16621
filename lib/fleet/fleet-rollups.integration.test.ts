import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { seedImportedHistory } from "@/lib/testing/fleet-test-database.ts";
import { generateSyntheticFleetEvents } from "@/lib/testing/synthetic-fleet.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { countConnectedDevicesAt } from "./connected-devices.ts";

const MIGRATION = path.resolve(import.meta.dirname, "../../prisma/migrations/20261122160000_fleet_rollups/migration.sql");
const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 9, 1, 0, 0, 0));
const TO = new Date(FROM.getTime() + 12 * HOUR);

/** Writes events through the real writer in batches of random size, like the worker's 50 ms / 500 message batches. */
async function writeInBatches(db: Db, events: ConnectionEvent[], seed: number): Promise<void> {
  let state = seed;
  for (let i = 0; i < events.length;) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 120);
    await recordConnectionEvents(db, events.slice(i, i + size));
    i += size;
  }
}

/** Rows where two queries with the same columns differ (both directions); empty when they agree. */
async function differences(db: Db, left: Prisma.Sql, right: Prisma.Sql): Promise<unknown[]> {
  return db.$queryRaw<unknown[]>`(${left} EXCEPT ALL ${right}) UNION ALL (${right} EXCEPT ALL ${left})`;
}

async function expectRollupsMatchRawEvents(db: Db): Promise<void> {
  expect(
    await differences(
      db,
      Prisma.sql`SELECT bucket, kind::text, reason::text, code, SUM(count)::int FROM event_rollup_minute GROUP BY 1, 2, 3, 4`,
      Prisma.sql`SELECT date_trunc('minute', occurred_at), kind::text, reason::text, COALESCE(code, ''), COUNT(*)::int FROM connection_events GROUP BY 1, 2, 3, 4`,
    ),
  ).toEqual([]);
  expect(
    await differences(
      db,
      Prisma.sql`SELECT bucket, device_id, kind::text, reason::text, code, source, broker_node, count FROM device_reason_minute`,
      Prisma.sql`SELECT date_trunc('minute', occurred_at), device_id, kind::text, reason::text, COALESCE(code, ''), source, COALESCE(broker_node, ''), COUNT(*)::int
                 FROM connection_events WHERE kind IN ('disconnected', 'connect_failed') GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    ),
  ).toEqual([]);
  expect(
    await differences(
      db,
      Prisma.sql`SELECT code, first_seen_at FROM code_first_seen`,
      Prisma.sql`SELECT code, MIN(occurred_at) FROM connection_events WHERE kind IN ('disconnected', 'connect_failed') AND code IS NOT NULL GROUP BY 1`,
    ),
  ).toEqual([]);
}

async function expectGaugeMatchesDeviceState(db: Db): Promise<void> {
  const [totals] = await db.$queryRaw<{ gauge: number; online: number; counted: number; countedOnline: number }[]>`
    SELECT (SELECT COALESCE(SUM(delta), 0)::int FROM fleet_connected_minute) AS gauge,
           (SELECT COUNT(*)::int FROM devices WHERE state = 'online') AS online,
           (SELECT COUNT(*)::int FROM fleet_connected_devices) AS counted,
           (SELECT COUNT(*)::int FROM fleet_connected_devices g JOIN devices d ON d.id = g.device_id AND d.state = 'online') AS "countedOnline"`;
  expect(totals?.online).toBeGreaterThan(0);
  expect(totals).toEqual({ gauge: totals?.online, online: totals?.online, counted: totals?.online, countedOnline: totals?.online });
  // Per source and broker node: the deltas sum to the devices counted there.
  expect(
    await differences(
      db,
      Prisma.sql`SELECT source, broker_node, SUM(delta)::int FROM fleet_connected_minute GROUP BY 1, 2 HAVING SUM(delta) <> 0`,
      Prisma.sql`SELECT source, broker_node, COUNT(*)::int FROM fleet_connected_devices GROUP BY 1, 2`,
    ),
  ).toEqual([]);
  // Per source as the devices table has it (each synthetic device belongs to one source).
  expect(
    await differences(
      db,
      Prisma.sql`SELECT source, SUM(delta)::int FROM fleet_connected_minute GROUP BY 1 HAVING SUM(delta) <> 0`,
      Prisma.sql`SELECT source, COUNT(*)::int FROM devices WHERE state = 'online' GROUP BY 1`,
    ),
  ).toEqual([]);
}

/** The definition the gauge replaced: devices with a session covering the instant. */
async function countSessionsCovering(db: Db, at: Date, source?: string): Promise<number> {
  const sourceFilter = source ? Prisma.sql`AND d.source = ${source}` : Prisma.empty;
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT COUNT(DISTINCT s.device_id)::int AS n FROM sessions s JOIN devices d ON d.id = s.device_id
    WHERE s.started_at <= ${at} AND (s.ended_at IS NULL OR s.ended_at > ${at}) ${sourceFilter}`;
  return row?.n ?? 0;
}

/** Re-runs the migration's backfill (everything after its marker line) over the data now in the database. */
async function rerunBackfill(url: string): Promise<void> {
  const sql = readFileSync(MIGRATION, "utf8");
  const backfill = sql.slice(sql.indexOf("-- Backfill"));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("TRUNCATE fleet_connected_minute, fleet_connected_devices, device_reason_minute, code_first_seen");
    await client.query(backfill);
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

/** Instants just before minute ends, where the minute-resolution gauge and the sessions must agree. */
function sampleInstants(count: number): Date[] {
  return Array.from({ length: count }, (_, i) => {
    const minute = Math.floor((FROM.getTime() + ((i + 1) * (TO.getTime() - FROM.getTime())) / (count + 1)) / 60_000) * 60_000;
    return new Date(minute + 59_999);
  });
}

describe("fleet rollups agree with raw counts", () => {
  let messy: TestDatabase;
  let ordered: TestDatabase;
  beforeAll(async () => {
    [messy, ordered] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([messy?.drop(), ordered?.drop()]);
  });

  it("after random events with duplicates, late deliveries and takeovers across nodes and sources", async () => {
    const events = generateSyntheticFleetEvents({
      seed: 7,
      devices: 40,
      from: FROM,
      to: TO,
      meanSessionMs: 40 * 60_000,
      meanGapMs: 5 * 60_000,
      sources: ["emqx", "aws-iot"],
      nodes: ["node-a", "node-b", "node-c", null],
      takeoverRate: 0.15,
      missingDisconnectRate: 0.05,
      duplicateRate: 0.1,
      lateRate: 0.2,
      maxDelayEvents: 200,
    });
    expect(events.length).toBeGreaterThan(1000);
    await writeInBatches(messy.db, events, 11);
    // A redelivery of everything changes nothing.
    await writeInBatches(messy.db, events.slice(0, 500), 3);

    await expectRollupsMatchRawEvents(messy.db);
    await expectGaugeMatchesDeviceState(messy.db);
    expect(await countConnectedDevicesAt(messy.db, new Date(TO.getTime() + HOUR))).toBe(
      await messy.db.device.count({ where: { state: "online" } }),
    );
  });

  it("gives the sessions' count at any instant when events arrive in order", async () => {
    // One large batch: several 1,000-row chunks per table, combined into as few statements as the parameters allow.
    const { events } = await seedImportedHistory(ordered.db, {
      seed: 21,
      devices: 60,
      from: FROM,
      to: TO,
      meanSessionMs: 30 * 60_000,
      meanGapMs: 10 * 60_000,
      sources: ["emqx", "aws-iot"],
      nodes: ["node-a", "node-b"],
      takeoverRate: 0.1,
      missingDisconnectRate: 0,
      failedConnectRate: 0.1,
      batchSize: Infinity,
    });
    expect(events.length).toBeGreaterThan(2000);
    await expectRollupsMatchRawEvents(ordered.db);
    await expectGaugeMatchesDeviceState(ordered.db);

    const instants = sampleInstants(12);
    const gauge = await Promise.all(instants.map((at) => countConnectedDevicesAt(ordered.db, at)));
    const sessions = await Promise.all(instants.map((at) => countSessionsCovering(ordered.db, at)));
    expect(gauge).toEqual(sessions);
    expect(Math.max(...gauge)).toBeGreaterThan(5);
    const scoped = await Promise.all(instants.map((at) => countConnectedDevicesAt(ordered.db, at, { source: "aws-iot" })));
    expect(scoped).toEqual(await Promise.all(instants.map((at) => countSessionsCovering(ordered.db, at, "aws-iot"))));
  });

  it("the migration's backfill rebuilds the same rollups and a gauge consistent with device state", async () => {
    const before = await Promise.all(sampleInstants(12).map((at) => countConnectedDevicesAt(ordered.db, at)));
    await rerunBackfill(ordered.url);
    await expectRollupsMatchRawEvents(ordered.db);
    await expectGaugeMatchesDeviceState(ordered.db);
    // In-order history: rebuilt from the sessions, the gauge's past matches what the writer kept.
    expect(await Promise.all(sampleInstants(12).map((at) => countConnectedDevicesAt(ordered.db, at)))).toEqual(before);

    await rerunBackfill(messy.url);
    await expectRollupsMatchRawEvents(messy.db);
    await expectGaugeMatchesDeviceState(messy.db);
  });
});
