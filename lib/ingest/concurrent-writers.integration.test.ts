import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { recordIngestBatch } from "./record-events.ts";

// Two workers of a `$share` group get a device's consecutive messages in turn, so their open batches hold the same
// devices. Written that way, concurrently, the result must equal one writer's, without deadlocks (decision 034: the
// second writer's event insert runs while the first holds the devices, which are locked in one order).
const BATCH = 60;

let sequential: TestDatabase;
let concurrent: TestDatabase;

beforeAll(async () => {
  [sequential, concurrent] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([sequential?.drop(), concurrent?.drop()]);
});

function stormEvents(deviceIdPrefix = "conc-"): ConnectionEvent[] {
  return generateReconnectStorm({ devices: 300, deviceIdPrefix, startMs: Date.UTC(2026, 10, 30, 9), spreadMs: 20_000 }).flatMap(
    (record) => {
      const parsed = parseAwsRecord(record);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.events;
    },
  );
}

async function writeStream(db: Db, events: ConnectionEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) await recordIngestBatch(db, { events: events.slice(i, i + BATCH) });
}

async function outcome(db: Db) {
  const rows = <T>(sql: Prisma.Sql) => db.$queryRaw<T[]>(sql);
  return {
    sessions: await rows(
      Prisma.sql`SELECT device_id, session_key, started_at, ended_at, end_reason::text, end_inferred, duration_ms FROM sessions ORDER BY 1, 2`,
    ),
    devices: await rows(
      Prisma.sql`SELECT id, state::text, current_session_key, connect_count, disconnect_count, failed_connect_count, first_seen_at FROM devices ORDER BY 1`,
    ),
    gauge: await rows(
      Prisma.sql`SELECT bucket, source, broker_node, SUM(delta)::int AS delta FROM fleet_connected_minute GROUP BY 1, 2, 3 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3`,
    ),
    rollups: await rows(
      Prisma.sql`SELECT bucket, kind::text, reason::text, code, SUM(count)::int AS count FROM event_rollup_minute GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    ),
    codes: await rows(Prisma.sql`SELECT code, first_seen_at, first_device_id FROM code_first_seen ORDER BY 1`),
  };
}

describe("two writers on the same devices at once", () => {
  it("leave the same sessions, device state, gauge and rollups as one writer", async () => {
    const events = stormEvents();
    await writeStream(sequential.db, events);
    // Round robin, as a shared subscription hands out messages: a device's connect and disconnect go to different writers.
    const streams = [events.filter((_, i) => i % 2 === 0), events.filter((_, i) => i % 2 === 1)];
    await Promise.all(streams.map((stream) => writeStream(concurrent.db, stream)));

    const expected = await outcome(sequential.db);
    expect(expected.sessions.length).toBeGreaterThan(300);
    expect(await outcome(concurrent.db)).toEqual(expected);
  });
});

describe("a writer whose devices another open transaction has updated", () => {
  it("inserts its events first and waits only where it locks the devices", async () => {
    const [disconnect, connect] = stormEvents("held-").filter((e) => e.deviceId === "held-000007");
    if (!disconnect || !connect) throw new Error("storm fixture changed");
    await recordIngestBatch(concurrent.db, { events: [disconnect] });

    // Another writer's batch that has folded this device and not yet committed.
    const holder = new pg.Client({ connectionString: concurrent.url });
    // Outside any transaction: pg_stat_activity is read once per transaction.
    const observer = new pg.Client({ connectionString: concurrent.url });
    await Promise.all([holder.connect(), observer.connect()]);
    try {
      await holder.query("BEGIN");
      await holder.query("UPDATE devices SET last_code = last_code WHERE id = $1", [disconnect.deviceId]);
      const holderPid = ((await holder.query("SELECT pg_backend_pid() AS pid")).rows[0] as { pid: number }).pid;

      const written = recordIngestBatch(concurrent.db, { events: [connect] });
      // Every lock wait seen until the writer waits at the device lock. A busy machine can show brief waits of other
      // kinds (a relation being extended); a wait on another transaction's row or id is what must not happen before it.
      const seen: { query: string; waitEvent: string }[] = [];
      await waitFor(
        async () => {
          const { rows } = await observer.query<{ query: string; waitEvent: string }>(
            `SELECT query, wait_event AS "waitEvent" FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> $1 AND wait_event_type = 'Lock'`,
            [holderPid],
          );
          seen.push(...rows);
          return rows;
        },
        (rows) => rows.some((row) => row.query.includes("FOR NO KEY UPDATE")),
      );
      const describe = (row: { query: string; waitEvent: string }) =>
        `${row.query.includes("FOR NO KEY UPDATE") ? "device lock" : row.query.trim().slice(0, 40)} (${row.waitEvent})`;
      // Decision 050: the events insert must not wait on another writer's device row (it would serialize two workers).
      expect(seen.filter((row) => row.query.includes("FOR NO KEY UPDATE")).map(describe)).toContain("device lock (transactionid)");
      expect(
        seen.filter((row) => !row.query.includes("FOR NO KEY UPDATE") && ["transactionid", "tuple"].includes(row.waitEvent)).map(describe),
      ).toEqual([]);
      await holder.query("COMMIT");
      expect(await written).toMatchObject({ inserted: 1 });
    } finally {
      await Promise.all([holder.end(), observer.end()]);
    }
  });
});

describe("a writer's new devices", () => {
  it("are visible to other writers while its batch is still open", async () => {
    const [disconnect] = stormEvents("new-").filter((e) => e.deviceId === "new-000011");
    if (!disconnect || disconnect.kind !== "disconnected") throw new Error("storm fixture changed");
    const holder = new pg.Client({ connectionString: concurrent.url });
    const observer = new pg.Client({ connectionString: concurrent.url });
    await Promise.all([holder.connect(), observer.connect()]);
    try {
      // Keeps the writer's transaction open after its inserts: its device_drop_minute upsert waits for this row.
      const minute = new Date(Math.floor(disconnect.occurredAt.getTime() / 60_000) * 60_000);
      await holder.query("BEGIN");
      await holder.query("INSERT INTO device_drop_minute (bucket, device_id, drops) VALUES ($1, $2, 0)", [minute, disconnect.deviceId]);
      const holderPid = ((await holder.query("SELECT pg_backend_pid() AS pid")).rows[0] as { pid: number }).pid;

      const written = recordIngestBatch(concurrent.db, { events: [disconnect] });
      await waitFor(
        async () =>
          (
            await observer.query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND wait_event_type = 'Lock'",
              [holderPid],
            )
          ).rowCount,
        (count) => count === 1,
      );
      // Decision 050: another writer with the same new device must not wait for this batch's commit.
      const visible = await observer.query("SELECT id FROM devices WHERE id = $1", [disconnect.deviceId]);
      expect(visible.rowCount).toBe(1);
      await holder.query("ROLLBACK");
      expect(await written).toMatchObject({ inserted: 1 });
    } finally {
      await Promise.all([holder.end(), observer.end()]);
    }
  });
});
