import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb, Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { publishTableCounters } from "@/lib/storage/analyze-without-autovacuum.ts";
import { analyzeMonthAsEmpty } from "@/lib/testing/stale-month-statistics.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { recordIngestBatch } from "./record-events.ts";

const FLEET = 20_000;
const BATCH_DEVICES = 300;
const PREFIX = "plans-";
const START_MS = Date.UTC(2026, 11, 1, 12, 0, 0);

const testDb = useTestDatabase();
/** One connection, so the statistics this test reads are flushed by the backend that ran the writer. */
let db: Db;
beforeAll(async () => {
  db = createDb(testDb.url, 1);
  await registerOnlineFleet(db);
});
afterAll(async () => {
  await db?.$disconnect();
});

/**
 * A known fleet, each device online in an open keyed session (as the storm generator names them), inserted without
 * ANALYZE: the planner sees tables that grew since their statistics, as in a fleet's first hours or with autovacuum late.
 */
async function registerOnlineFleet(target: Db): Promise<void> {
  const id = Prisma.sql`${PREFIX} || lpad(g::text, 6, '0')`;
  const since = new Date(START_MS - 3_600_000);
  await target.$executeRaw`
    INSERT INTO devices (id, source, first_seen_at, state, current_session_key, state_occurred_at, state_ordering, last_connected_at, connect_count)
    SELECT ${id}, 'aws-iot', ${since}, 'online', ${id} || '-s1', ${since}, 0, ${since}, 1 FROM generate_series(0, ${FLEET - 1}) g`;
  await target.$executeRaw`
    INSERT INTO sessions (device_id, session_key, started_at) SELECT ${id}, ${id} || '-s1', ${since} FROM generate_series(0, ${FLEET - 1}) g`;
  await target.$executeRaw`
    INSERT INTO fleet_connected_devices (device_id, source, broker_node, since)
    SELECT ${id}, 'aws-iot', '', ${since} FROM generate_series(0, ${FLEET - 1}) g`;
}

/** Rows read from each of `tables` by sequential scans plus entries read from its indexes, as flushed by this connection's backend. */
async function rowsRead(target: Db, tables: readonly string[]): Promise<Map<string, number>> {
  await publishTableCounters(target);
  await target.$queryRaw`SELECT pg_stat_clear_snapshot()::text`;
  const rows = await queryRows(
    target,
    "rowsRead",
    z.object({ relname: z.string(), read: z.coerce.number() }),
    Prisma.sql`
    SELECT t.relname::text, t.seq_tup_read + COALESCE((SELECT SUM(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = t.relid), 0) AS read
    FROM pg_stat_user_tables t WHERE t.relname = ANY(${[...tables]}::text[])`,
  );
  return new Map(rows.map((r) => [r.relname, r.read]));
}

const KEYED_TABLES = ["devices", "sessions", "fleet_connected_devices"];

describe("the writer's plans on a large fleet without fresh statistics", () => {
  it("probes the batch's devices and sessions by key instead of reading whole tables", async () => {
    const storm = generateReconnectStorm({ devices: FLEET, deviceIdPrefix: PREFIX, startMs: START_MS, spreadMs: 60_000 });
    const batchDevices = new Set(storm.slice(0, BATCH_DEVICES).map((r) => r.clientId));
    const events = storm
      .filter((r) => batchDevices.has(r.clientId))
      .flatMap((r) => {
        const parsed = parseAwsRecord(r);
        if (!parsed.ok) throw new Error(parsed.error);
        return parsed.events;
      });

    const before = await rowsRead(db, KEYED_TABLES);
    const result = await recordIngestBatch(db, { events });
    const after = await rowsRead(db, KEYED_TABLES);

    expect(result.inserted).toBe(events.length);
    // Each statement probes only the batch's keys (a few rows per device); a scan of a table or of every open session
    // reads the whole fleet (20,000 rows).
    for (const table of KEYED_TABLES)
      expect((after.get(table) ?? 0) - (before.get(table) ?? 0), `rows of ${table} read`).toBeLessThan(FLEET / 4);

    const [closed] = await queryRows(
      db,
      "closedSessions",
      z.object({ n: z.coerce.number() }),
      Prisma.sql`SELECT count(*) AS n FROM sessions WHERE device_id LIKE ${`${PREFIX}%`} AND session_key LIKE '%-s1' AND ended_at IS NOT NULL`,
    );
    expect(closed?.n).toBe(batchDevices.size);
  });

  it("looks a new session's disconnect up by device even where the partition's statistics say it is empty", async () => {
    // An ANALYZE that saw the month's partition without live rows (its first batches not yet committed, say) and none
    // since (no autovacuum: the embedded database, or a server with it off): Postgres then estimates no rows however
    // large the partition grows, and an index on occurred_at alone looked cheapest for "the first disconnect", read
    // from the start of the month for every new session.
    // A month no other test here writes to (the storm above is in December).
    const at = new Date(Date.UTC(2027, 0, 15, 12));
    const month = await analyzeMonthAsEmpty(db, at);
    // The month fills up: a disconnect of every device's open session, unrelated to the sessions the batch starts.
    await db.$executeRaw`
      INSERT INTO connection_events (device_id, kind, occurred_at, reason, initiator, source, dedupe_key, session_key, raw)
      SELECT ${PREFIX} || lpad(g::text, 6, '0'), 'disconnected', ${at}, 'connection_lost', 'network', 'aws-iot',
             'stale-' || g, ${PREFIX} || lpad(g::text, 6, '0') || '-s0', '{}'
      FROM generate_series(0, ${FLEET - 1}) g`;
    const deviceIds = Array.from({ length: BATCH_DEVICES }, (_, i) => `${PREFIX}${String(i).padStart(6, "0")}`);
    const events = deviceIds.flatMap((deviceId) => {
      const parsed = parseAwsRecord({
        clientId: deviceId,
        timestamp: at.getTime() + 3_600_000,
        eventType: "connected",
        sessionIdentifier: `${deviceId}-stale-stats`,
        principalIdentifier: "p",
        ipAddress: "10.0.0.1",
        versionNumber: 9,
      });
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.events;
    });

    const before = (await rowsRead(db, [month])).get(month) ?? 0;
    expect((await recordIngestBatch(db, { events })).inserted).toBe(events.length);
    // A probe by device reads a few index entries per new session; the occurred_at index, the whole month each time.
    expect(((await rowsRead(db, [month])).get(month) ?? 0) - before).toBeLessThan(FLEET);
  });
});
