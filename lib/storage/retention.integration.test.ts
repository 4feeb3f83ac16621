import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { countConnectedDevicesAt } from "@/lib/fleet/connected-devices.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { emqxLifecycleEvent } from "@/lib/testing/emqx-lifecycle.ts";
import { createEmqxTestFleet } from "@/lib/testing/emqx-test-fleet.ts";
import { seedImportedHistory } from "@/lib/testing/fleet-test-database.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { refreshConnectedSnapshots } from "./connected-snapshots.ts";
import { downsampleMinuteRollups } from "./downsample-minute-rollups.ts";
import { parseRetentionPolicy } from "./retention-policy.ts";
import { runRetentionPass } from "./run-retention-pass.ts";
import { ensureMonthPartitions, partitionName, startOfUtcMonth } from "./time-partitions.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const log = createLogger("retention-test");

const testDb = useTestDatabase();
let db: Db;
beforeAll(async () => {
  db = testDb.db;
});

async function partitionsOf(table: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${table} ORDER BY 1`;
  return rows.map((row) => row.name);
}

async function countEvents(deviceIds: string[]): Promise<number> {
  return db.connectionEvent.count({ where: { deviceId: { in: deviceIds } } });
}

async function sumDeltasUpTo(at: Date, node?: string): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`
    SELECT COALESCE(SUM(delta), 0)::int AS n FROM fleet_connected_minute WHERE bucket <= ${at} AND (${node ?? null}::text IS NULL OR broker_node = ${node ?? null})`;
  return rows[0]?.n ?? 0;
}

// Tests share one database and run in order: the incremental steps (folding, trimming) keep a watermark, so the
// steps that read it run before the passes that move it.
describe("minute rollups folded into hours", () => {
  it("keeps every total per hour while leaving only hour buckets for old ranges", async () => {
    const fleet = createEmqxTestFleet(db, 6, "downsample");
    const base = Math.floor((Date.now() - 40 * DAY) / HOUR) * HOUR;
    for (let minute = 1; minute < 120; minute += 7) {
      const group = fleet.ids.filter((_, i) => (minute + i) % 3 === 0);
      await fleet.connect(group, base + minute * MINUTE);
      await fleet.drop(group, base + minute * MINUTE + 3 * MINUTE, "keepalive_timeout");
    }
    const hourlyTotals = async () => ({
      events:
        await db.$queryRaw`SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01') AS h, kind, reason, code, SUM(count)::int AS n FROM event_rollup_minute WHERE bucket >= ${new Date(base)} AND bucket < ${new Date(base + 3 * HOUR)} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      devices:
        await db.$queryRaw`SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01') AS h, device_id, SUM(count)::int AS n FROM device_reason_minute WHERE device_id = ANY(${fleet.ids}::text[]) GROUP BY 1, 2 ORDER BY 1, 2`,
      gauge:
        await db.$queryRaw`SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01') AS h, SUM(delta)::int AS n FROM fleet_connected_minute WHERE broker_node = ${fleet.node} GROUP BY 1 ORDER BY 1`,
    });
    const before = await hourlyTotals();
    const minuteRows = await db.deviceReasonMinute.count({ where: { deviceId: { in: fleet.ids } } });
    expect(minuteRows).toBeGreaterThan(fleet.ids.length * 2);

    await downsampleMinuteRollups(db, new Date(Date.now() - 30 * DAY));

    expect(await hourlyTotals()).toEqual(before);
    const buckets = await db.deviceReasonMinute.findMany({ where: { deviceId: { in: fleet.ids } }, select: { bucket: true } });
    expect(buckets.length).toBeLessThan(minuteRows);
    expect(buckets.every((row) => row.bucket.getTime() % HOUR === 0)).toBe(true);
    expect(await countConnectedDevicesAt(db, new Date(), { brokerNode: fleet.node })).toBe(await sumDeltasUpTo(new Date(), fleet.node));
  });
});

describe("raw payloads", () => {
  it("trims raw payloads past their period and keeps the event", async () => {
    const node = "trim-node@10.0.0.1";
    const id = `trimmed-${Date.now()}`;
    const now = new Date();
    await recordConnectionEvents(db, [
      emqxLifecycleEvent(node, id, "connected", now.getTime() - 45 * DAY),
      emqxLifecycleEvent(node, id, "connected", now.getTime() - 5 * DAY),
    ]);
    await runRetentionPass(db, log, parseRetentionPolicy({ RETENTION_RAW_PAYLOAD_DAYS: "30" }), now);
    const rows = await db.connectionEvent.findMany({
      where: { deviceId: id },
      orderBy: { occurredAt: "asc" },
      select: { raw: true, flags: true },
    });
    expect(rows[0]?.raw).toMatchObject({ trimmed: true });
    expect(rows[0]?.flags).toContain("raw_trimmed");
    expect(rows[1]?.raw).toMatchObject({ clientid: id });
  });
});

describe("time partitions and retention", () => {
  it("creates month partitions ahead, moves late history out of the default partition, and drops only expired months", async () => {
    const now = new Date();
    const node = "partition-node@10.0.0.1";
    const ids = ["part-old", "part-kept", "part-new"].map((id) => `${id}-${now.getTime()}`);
    const times = [now.getTime() - 450 * DAY, now.getTime() - 200 * DAY, now.getTime() - HOUR];
    // Months 450 and 200 days back have no partition yet: these rows land in the default partition.
    await recordConnectionEvents(
      db,
      ids.flatMap((id, i) => [
        emqxLifecycleEvent(node, id, "connected", times[i] ?? 0),
        emqxLifecycleEvent(node, id, "disconnected", times[i] ?? 0, (times[i] ?? 0) + MINUTE),
      ]),
    );
    expect(await countEvents(ids)).toBe(6);

    await ensureMonthPartitions(db, "connection_events", now, new Date(now.getTime() - 500 * DAY));
    await ensureMonthPartitions(db, "device_drop_minute", now, new Date(now.getTime() - 500 * DAY));
    const events = await partitionsOf("connection_events");
    const oldMonth = partitionName("connection_events", startOfUtcMonth(new Date(times[0] ?? 0)));
    const keptMonth = partitionName("connection_events", startOfUtcMonth(new Date(times[1] ?? 0)));
    expect(events).toEqual(
      expect.arrayContaining([
        oldMonth,
        keptMonth,
        partitionName("connection_events", startOfUtcMonth(now, 2)),
        "connection_events_default",
      ]),
    );
    expect((await db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM connection_events_default`)[0]?.n).toBe(0);

    const policy = parseRetentionPolicy({ RETENTION_EVENT_DAYS: "400" });
    const pass = await runRetentionPass(db, log, policy, now);
    expect(pass.ran).toBe(true);
    expect(pass.partitionsDropped).toContain(oldMonth);
    expect(pass.partitionsDropped).not.toContain(keptMonth);
    const after = await partitionsOf("connection_events");
    expect(after).not.toContain(oldMonth);
    expect(after).toEqual(expect.arrayContaining([keptMonth, partitionName("connection_events", startOfUtcMonth(now, 1))]));
    expect(await countEvents(ids)).toBe(4);
    expect(await db.connectionEvent.count({ where: { deviceId: ids[0] } })).toBe(0);
    // The old month's drops went with it; the kept month's stay.
    const drops = await db.deviceDropMinute.findMany({ where: { deviceId: { in: ids } }, select: { deviceId: true } });
    expect(drops.map((d) => d.deviceId).sort()).toEqual([ids[1], ids[2]].sort());

    // A second process (or tick) finds nothing left to do.
    const again = await runRetentionPass(db, log, policy, now);
    expect(again.partitionsCreated).toEqual([]);
    expect(again.partitionsDropped).toEqual([]);
  });

  it("stores a redelivered event once, in any month's partition", async () => {
    const node = "redelivery-node@10.0.0.1";
    const id = `redelivered-${Date.now()}`;
    const at = Date.now() - 40 * DAY;
    const batch = [
      emqxLifecycleEvent(node, id, "connected", at),
      emqxLifecycleEvent(node, id, "disconnected", at, at + MINUTE),
      emqxLifecycleEvent(node, id, "connected", Date.now() - MINUTE),
    ];
    expect(await recordConnectionEvents(db, batch)).toMatchObject({ inserted: 3, duplicates: 0 });
    expect(await recordConnectionEvents(db, batch)).toMatchObject({ inserted: 0, duplicates: 3 });
    expect(await countEvents([id])).toBe(3);
    expect(await db.session.count({ where: { deviceId: id } })).toBe(2);
  });
});

describe("connected gauge from snapshots", () => {
  it("reads the latest snapshot plus later deltas, equal to the sum of every delta, also after late events", async () => {
    const now = new Date();
    const from = new Date(now.getTime() - 3 * DAY);
    const node = `snapshot-node-${now.getTime()}`;
    await seedImportedHistory(db, {
      seed: 26,
      devices: 30,
      from,
      to: new Date(now.getTime() - 2 * HOUR),
      meanSessionMs: 3 * HOUR,
      meanGapMs: 40 * MINUTE,
      nodes: [node],
      devicePrefix: `snap-${now.getTime()}-`,
      lateRate: 0.05,
      batchSize: Infinity,
    });

    const first = await refreshConnectedSnapshots(db, now);
    expect(first.written).toBeGreaterThan(0);
    const instants = Array.from({ length: 12 }, (_, i) => new Date(from.getTime() + (i + 1) * 6 * HOUR + 17 * MINUTE));
    for (const at of [...instants, now]) {
      expect(await countConnectedDevicesAt(db, at, { brokerNode: node })).toBe(await sumDeltasUpTo(at, node));
      expect(await countConnectedDevicesAt(db, at)).toBe(await sumDeltasUpTo(at));
    }

    // Late events dated before the newest snapshots: new devices connecting 30 hours ago, delivered now.
    const late = Array.from({ length: 4 }, (_, i) =>
      emqxLifecycleEvent(node, `snap-late-${now.getTime()}-${i}`, "connected", now.getTime() - 30 * HOUR + i * MINUTE),
    );
    await recordConnectionEvents(db, late);
    const repaired = await refreshConnectedSnapshots(db, now);
    expect(repaired.repairedFrom).not.toBeNull();
    for (const at of [...instants, now]) {
      expect(await countConnectedDevicesAt(db, at, { brokerNode: node })).toBe(await sumDeltasUpTo(at, node));
    }
    const online = await db.fleetConnectedDevice.count({ where: { brokerNode: node } });
    expect(await countConnectedDevicesAt(db, now, { brokerNode: node })).toBe(online);
  });
});
