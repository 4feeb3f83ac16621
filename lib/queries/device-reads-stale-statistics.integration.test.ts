import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, Prisma, type Db } from "@/lib/db/client.ts";
import { analyzeMonthAsEmpty, rowsReadFrom } from "@/lib/testing/stale-month-statistics.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getDevice } from "./get-device.ts";
import { getDeviceAgentContext } from "./get-device-agent-context.ts";
import { listDeviceEvents } from "./list-device-events.ts";
import { listDeviceSessions } from "./list-device-sessions.ts";
import { listTopDroppingDevices } from "./list-top-dropping-devices.ts";
import { loadDiagnosisInput } from "./load-diagnosis-input.ts";

// Decision 064: a month partition an ANALYZE saw empty (its first rows not yet committed, and no autovacuum since) is
// estimated empty however many rows it then holds. A device's reads (newest first, its 24 h counts, the top dropping
// devices' last drops) must still find its rows through the device's index, not read the month in time order and
// filter it; so must its sessions, likewise estimated.
const FLEET = 2_000;
const EVENTS_PER_DEVICE = 10;
const MONTH_ROWS = FLEET * EVENTS_PER_DEVICE;
const DEVICE = "stale-0000";
/** Odd devices drop (connection_lost) every 20,000 s after their device report; even ones only connect. */
const DROPPING_DEVICE = "stale-0001";
const at = new Date(Date.UTC(2027, 0, 10));
const window = { from: new Date(Date.UTC(2027, 0, 1)), to: new Date(Date.UTC(2027, 0, 25)) };

const testDb = useTestDatabase();
/** One connection, so the table counters this file reads include every statement the reads ran. */
let db: Db;
let month: string;
beforeAll(async () => {
  db = createDb(testDb.url, 1);
  month = await analyzeMonthAsEmpty(db, at);
  const device = Prisma.sql`'stale-' || lpad((g % ${FLEET})::text, 4, '0')`;
  // Every device connects and drops every 10 s in turn; each has a device report among them.
  await db.$executeRaw`
    INSERT INTO connection_events (device_id, kind, occurred_at, reason, initiator, source, dedupe_key, session_key, raw)
    SELECT ${device},
           (CASE WHEN g / ${FLEET} = 0 THEN 'device_report' WHEN g % 2 = 0 THEN 'connected' ELSE 'disconnected' END)::"EventKind",
           ${at}::timestamptz + g * interval '10 seconds',
           (CASE WHEN g % 2 = 0 THEN 'connected' ELSE 'connection_lost' END)::"Reason", 'network', 'aws-iot',
           'stale-' || g, ${device} || '-s' || (g / 2), '{}'
    FROM generate_series(0, ${MONTH_ROWS - 1}) g`;
  // The device rows and the per-device minute rollup the writer would have kept, for the device header and the ranking.
  await db.$executeRaw`INSERT INTO devices (id, state) SELECT DISTINCT device_id, 'offline'::"DeviceState" FROM connection_events WHERE device_id LIKE 'stale-%'`;
  await db.$executeRaw`
    INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
    SELECT date_trunc('minute', occurred_at), device_id, kind, reason, COALESCE(code, ''), source, '', COUNT(*)::int
    FROM connection_events WHERE device_id LIKE 'stale-%' AND kind <> 'device_report' GROUP BY 1, 2, 3, 4, 5, 6`;
  // The sessions table likewise, analyzed over a page without live rows and filled since.
  await db.$executeRawUnsafe(`ALTER TABLE sessions SET (autovacuum_enabled = false)`);
  await db.$executeRaw`INSERT INTO sessions (device_id, session_key, started_at) VALUES ('stale-probe', 'stale-probe', ${at})`;
  await db.$executeRaw`DELETE FROM sessions WHERE device_id = 'stale-probe'`;
  await db.$executeRawUnsafe(`ANALYZE sessions`);
  await db.$executeRaw`
    INSERT INTO sessions (device_id, session_key, started_at, ended_at)
    SELECT ${device}, ${device} || '-s' || g, ${at}::timestamptz + g * interval '20 seconds', ${at}::timestamptz + g * interval '20 seconds' + interval '10 seconds'
    FROM generate_series(0, ${MONTH_ROWS / 2 - 1}) g`;
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Rows and index entries of `table` that `read` reads. */
async function readsFrom(table: string, read: () => Promise<unknown>): Promise<number> {
  const before = await rowsReadFrom(db, table);
  await read();
  return (await rowsReadFrom(db, table)) - before;
}

describe("a device's reads where the month's statistics say it is empty", () => {
  it("the events page reads the device's events, not the month", async () => {
    const read = await readsFrom(month, async () => {
      const page = await listDeviceEvents(db, { deviceId: DEVICE, ...window, limit: 50 });
      expect(page.events).toHaveLength(EVENTS_PER_DEVICE);
    });
    expect(read).toBeLessThan(MONTH_ROWS / 10);
  });

  it("the diagnosis reads the device's events, not the month", async () => {
    const read = await readsFrom(month, async () => {
      const input = await loadDiagnosisInput(db, { deviceId: DEVICE, ...window });
      expect(input.events).toHaveLength(EVENTS_PER_DEVICE);
    });
    expect(read).toBeLessThan(MONTH_ROWS / 10);
  });

  it("the device's agent reports are read from the device's events, not the month", async () => {
    const read = await readsFrom(month, async () => {
      const context = await getDeviceAgentContext(db, { deviceId: DEVICE, limit: 20 });
      expect(context.events).toHaveLength(1);
    });
    expect(read).toBeLessThan(MONTH_ROWS / 10);
  });

  it("the device header's 24 h counts read the device's events, not the month", async () => {
    const now = new Date(at.getTime() + 24 * 3_600_000);
    const read = await readsFrom(month, async () => {
      const device = await getDevice(db, DROPPING_DEVICE, now);
      // g = 2001, 4001, 6001, 8001 (g = 1 is its device report, not counted).
      expect(device?.stats).toMatchObject({ connects: 0, disconnects: 4, drops: 4, failedConnects: 0 });
    });
    expect(read).toBeLessThan(MONTH_ROWS / 10);
  });

  it("the top dropping devices' last drops are read from each device's events, not the month", async () => {
    const read = await readsFrom(month, async () => {
      const devices = await listTopDroppingDevices(db, { ...window, limit: 10 });
      expect(devices).toHaveLength(10);
      // Nine drops each; ties in device order; the last drop at g = device + 18,000.
      expect(devices[0]).toMatchObject({ deviceId: DROPPING_DEVICE, drops: 9, lastDropAt: new Date(at.getTime() + 18_001 * 10_000) });
    });
    expect(read).toBeLessThan(MONTH_ROWS / 10);
  });

  it("the device's sessions are read from the device's sessions, not the table", async () => {
    const read = await readsFrom("sessions", async () => {
      const list = await listDeviceSessions(db, { deviceId: DEVICE, ...window });
      expect(list.sessions).toHaveLength(EVENTS_PER_DEVICE / 2);
    });
    expect(read).toBeLessThan(MONTH_ROWS / 20);
  });
});
