import { expect } from "vitest";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

/**
 * Decision 057's property check, shared by the Postgres and the embedded (PGlite) test: a random history of minute rows
 * for a few dozen devices, then multi-row metadata statements, each followed by fleet_reason_hour and
 * fleet_reason_quarter_day compared with a recount from device_reason_minute joined to devices now.
 */
const DEVICES = 40;
/** Minute rows of these ids exist before their device rows: inserting the devices moves their history. */
const LATE_DEVICES = 4;
const MINUTE_ROWS = 3_000;
const FROM = Date.UTC(2026, 10, 20, 3, 17);
const SPAN_MINUTES = 3 * 24 * 60 + 200;
const FIRMWARES = ["fw-1", "fw-2", "fw-3", null];
const REGIONS = ["eu", "us", null];
const NETWORKS = ["lte", "wifi", null];
const SOURCES = [
  ["emqx", "node-a"],
  ["emqx", "node-b"],
  ["aws-iot", ""],
] as const;
const REASONS = [
  ["disconnected", "connection_lost", "emqx:tcp_closed"],
  ["disconnected", "keepalive_timeout", ""],
  ["connect_failed", "not_authorized", "connack:5"],
  ["connected", "connected", ""],
] as const;

type DeviceMetadata = { id: string; firmware: string | null; region: string | null; network: string | null; labels: string };

/** mulberry32: the same history on every run, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const deviceId = (i: number) => `move-${String(i).padStart(2, "0")}`;

function randomFleet(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const randomLabels = () => {
    const labels: Record<string, string | number> = {};
    if (random() < 0.6) labels.model = pick(["m-1", "m-2", "m-3"]);
    if (random() < 0.4) labels.rack = pick(["r-1", "r-2"]);
    // Not a string: no label dimension (what the filter's labels @> {…} matches).
    if (random() < 0.2) labels.slot = 7;
    return labels;
  };
  const randomDevice = (i: number): DeviceMetadata => ({
    id: deviceId(i),
    firmware: pick(FIRMWARES),
    region: pick(REGIONS),
    network: pick(NETWORKS),
    labels: JSON.stringify(randomLabels()),
  });
  return { random, pick, randomDevice };
}

/** Rows of either table that differ from a recount, either way; rows of count 0 are left out (moves leave them). */
const recountDifferences = (db: Db) =>
  queryRows(
    db,
    "recountDifferences",
    z.object({ hours: z.number(), quarterDays: z.number(), dimensions: z.number() }),
    // The rebuild SELECT of 20261207040000_fleet_reason_hour, and the same per quarter day.
    Prisma.sql`WITH recount AS (
      SELECT k.dimension, k.value, r.bucket, r.source, r.broker_node, r.kind, r.reason, r.code, r.count
      FROM device_reason_minute r
      LEFT JOIN devices d ON d.id = r.device_id
      CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
    ), hours AS (
      SELECT dimension, value, date_bin('1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, source, broker_node,
             kind, reason, code, SUM(count)::int AS count
      FROM recount GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ), quarter_days AS (
      SELECT dimension, value, date_bin('6 hours', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, source, broker_node,
             kind, reason, code, SUM(count)::int AS count
      FROM recount GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ), kept_hours AS (
      SELECT dimension, value, bucket, source, broker_node, kind, reason, code, count FROM fleet_reason_hour WHERE count <> 0
    ), kept_quarter_days AS (
      SELECT dimension, value, bucket, source, broker_node, kind, reason, code, count FROM fleet_reason_quarter_day WHERE count <> 0
    )
    SELECT (SELECT COUNT(*)::int FROM ((SELECT * FROM hours EXCEPT SELECT * FROM kept_hours)
                                       UNION ALL (SELECT * FROM kept_hours EXCEPT SELECT * FROM hours)) x) AS hours,
           (SELECT COUNT(*)::int FROM ((SELECT * FROM quarter_days EXCEPT SELECT * FROM kept_quarter_days)
                                       UNION ALL (SELECT * FROM kept_quarter_days EXCEPT SELECT * FROM quarter_days)) x) AS "quarterDays",
           (SELECT COUNT(DISTINCT (dimension, value))::int FROM hours WHERE dimension <> '') AS dimensions`,
  );

/** Expects both fleet rollups equal to a recount from device_reason_minute joined to devices now. */
export async function expectRecount(db: Db, step: string): Promise<void> {
  const [diff] = await recountDifferences(db);
  expect(diff, step).toEqual({ hours: 0, quarterDays: 0, dimensions: expect.any(Number) });
  // A recount with no metadata dimension would compare nothing that moves.
  expect(diff?.dimensions, step).toBeGreaterThan(3);
}

/** The triggers on devices that keep the fleet rollups, and whether each fires per row. */
export const listFleetRollupDeviceTriggers = (db: Db) =>
  queryRows(
    db,
    "listFleetRollupDeviceTriggers",
    z.object({ name: z.string(), perRow: z.boolean() }),
    Prisma.sql`SELECT tgname AS name, (tgtype & 1) = 1 AS "perRow" FROM pg_trigger
    WHERE tgrelid = 'devices'::regclass AND tgname LIKE 'fleet_reason_hour%' ORDER BY 1`,
  );

/** Runs the whole check on a freshly migrated database (it writes devices named move-*). */
export async function checkDeviceMetadataMoves(db: Db, seed = 57): Promise<void> {
  const { random, pick, randomDevice } = randomFleet(seed);
  const rows = new Map<
    string,
    { bucket: Date; deviceId: string; kind: string; reason: string; code: string; source: string; brokerNode: string; count: number }
  >();
  for (let i = 0; i < MINUTE_ROWS; i += 1) {
    const [source, brokerNode] = pick(SOURCES);
    const [kind, reason, code] = pick(REASONS);
    const bucket = new Date(FROM + Math.floor(random() * SPAN_MINUTES) * 60_000);
    const device = deviceId(Math.floor(random() * (DEVICES + LATE_DEVICES)));
    rows.set(JSON.stringify([bucket, device, kind, reason, code, source, brokerNode]), {
      bucket,
      deviceId: device,
      kind,
      reason,
      code,
      source,
      brokerNode,
      count: 1 + Math.floor(random() * 4),
    });
  }
  const minutes = [...rows.values()];
  await db.$executeRaw`
    INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
    SELECT b, d, k::"EventKind", r::"Reason", c, s, n, x
    FROM unnest(${minutes.map((m) => m.bucket)}::timestamptz[], ${minutes.map((m) => m.deviceId)}::text[],
                ${minutes.map((m) => m.kind)}::text[], ${minutes.map((m) => m.reason)}::text[], ${minutes.map((m) => m.code)}::text[],
                ${minutes.map((m) => m.source)}::text[], ${minutes.map((m) => m.brokerNode)}::text[], ${minutes.map((m) => m.count)}::int[])
           AS m(b, d, k, r, c, s, n, x)`;

  const insertDevices = (batch: DeviceMetadata[]) => db.$executeRaw`
    INSERT INTO devices (id, firmware, region, network, labels)
    SELECT id, fw, rg, nw, lb::jsonb
    FROM unnest(${batch.map((d) => d.id)}::text[], ${batch.map((d) => d.firmware)}::text[], ${batch.map((d) => d.region)}::text[],
                ${batch.map((d) => d.network)}::text[], ${batch.map((d) => d.labels)}::text[]) AS x(id, fw, rg, nw, lb)`;
  const devices = Array.from({ length: DEVICES }, (_, i) => randomDevice(i));
  expect(await insertDevices(devices)).toBe(DEVICES);
  await expectRecount(db, "devices inserted with metadata after their minute rows");

  // Every device touched; about a third keep the values they have.
  const rollout = devices.map((d) => (random() < 0.35 ? d : { ...d, firmware: pick(FIRMWARES), region: pick(REGIONS) }));
  expect(rollout.filter((d, i) => d.firmware !== devices[i]?.firmware).length).toBeGreaterThan(5);
  expect(
    await db.$executeRaw`
      UPDATE devices d SET firmware = x.fw, region = x.rg
      FROM unnest(${rollout.map((d) => d.id)}::text[], ${rollout.map((d) => d.firmware)}::text[], ${rollout.map((d) => d.region)}::text[])
           AS x(id, fw, rg)
      WHERE d.id = x.id`,
  ).toBe(DEVICES);
  await expectRecount(db, "one UPDATE over every device, some unchanged");

  expect(await db.$executeRaw`UPDATE devices SET firmware = 'fw-9' WHERE id IN (${deviceId(0)}, ${deviceId(1)})`).toBe(2);
  expect(await db.$executeRaw`UPDATE devices SET firmware = NULL WHERE id = ${deviceId(2)}`).toBe(1);
  expect(
    await db.$executeRaw`
      UPDATE devices d SET firmware = o.firmware FROM devices o
      WHERE (d.id, o.id) IN ((${deviceId(0)}, ${deviceId(2)}), (${deviceId(2)}, ${deviceId(0)}))`,
  ).toBe(2);
  await expectRecount(db, "two devices' firmware swapped in one UPDATE");

  expect(
    await db.$executeRaw`
      UPDATE devices SET labels = CASE
        WHEN right(id, 1) IN ('1', '4', '7') THEN labels || '{"rack": "r-3", "slot": "s-1"}'::jsonb
        WHEN right(id, 1) IN ('2', '5') THEN labels - 'model'
        WHEN right(id, 1) = '8' THEN '{}'::jsonb
        ELSE labels END`,
  ).toBe(DEVICES);
  await expectRecount(db, "labels added, removed and cleared in one UPDATE");

  expect(await db.$executeRaw`UPDATE devices SET state = 'online', connect_count = connect_count + 1`).toBe(DEVICES);
  await expectRecount(db, "an UPDATE of no metadata column");

  const late = Array.from({ length: LATE_DEVICES }, (_, i) => randomDevice(DEVICES + i));
  late[0] = { ...(late[0] as DeviceMetadata), firmware: "fw-1", labels: JSON.stringify({ model: "m-9" }) };
  expect(await insertDevices(late)).toBe(LATE_DEVICES);
  await expectRecount(db, "devices inserted for minute rows already written");

  expect(
    await db.$executeRaw`
      INSERT INTO devices (id, firmware, network) VALUES (${deviceId(3)}, 'fw-7', 'wifi'), ('move-new', 'fw-7', 'lte')
      ON CONFLICT (id) DO UPDATE SET firmware = EXCLUDED.firmware, network = EXCLUDED.network`,
  ).toBe(2);
  await expectRecount(db, "an upsert inserting one device and updating another");

  expect(await db.$executeRaw`UPDATE devices SET id = 'move-renamed' WHERE id = ${deviceId(5)}`).toBe(1);
  await expectRecount(db, "a device's id changed");

  expect(await db.$executeRaw`DELETE FROM devices WHERE right(id, 1) IN ('3', '6') OR id = ${deviceId(DEVICES)}`).toBeGreaterThan(5);
  await expectRecount(db, "devices deleted in one DELETE");
}
