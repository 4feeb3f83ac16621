import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { recordIngestBatch } from "./record-events.ts";

const testDb = useTestDatabase();

/** Three devices' storm (connected, disconnected, connected again each) as the writer receives it from AWS IoT. */
function stormEvents(prefix: string) {
  return generateReconnectStorm({ devices: 3, deviceIdPrefix: prefix, startMs: Date.UTC(2026, 11, 1, 12), spreadMs: 60_000 }).flatMap(
    (record) => {
      const parsed = parseAwsRecord(record);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.events;
    },
  );
}

async function historyOf(deviceId: string): Promise<{ events: number; sessions: number }> {
  const [events, sessions] = await Promise.all([
    testDb.db.connectionEvent.count({ where: { deviceId } }),
    testDb.db.session.count({ where: { deviceId } }),
  ]);
  return { events, sessions };
}

describe("events and sessions name their device without a per-row check (decision 061)", () => {
  it("fires no row-level trigger when the writer inserts into connection_events or sessions", async () => {
    // A foreign key is such a trigger: one locking lookup in devices per stored row, a tenth of the writer's Postgres CPU.
    const rowTriggers = await queryRows(
      testDb.db,
      "rowTriggers",
      z.object({ table: z.string(), name: z.string() }),
      Prisma.sql`
        SELECT t.tgrelid::regclass::text AS table, t.tgname AS name FROM pg_trigger t
        WHERE t.tgrelid IN ('connection_events'::regclass, 'sessions'::regclass)
          AND (t.tgtype & 1) = 1 AND (t.tgtype & 4) = 4`,
    );
    expect(rowTriggers).toEqual([]);
  });

  it("deletes a deleted device's events and sessions with it, and no other device's", async () => {
    const events = stormEvents("gone-");
    await recordIngestBatch(testDb.db, { events });
    const [gone, kept] = [...new Set(events.map((e) => e.deviceId))];
    const keptBefore = await historyOf(kept!);
    expect(await historyOf(gone!)).toMatchObject({ events: 3 });

    await testDb.db.$executeRaw`DELETE FROM devices WHERE id = ${gone}`;

    expect(await historyOf(gone!)).toEqual({ events: 0, sessions: 0 });
    expect(await historyOf(kept!)).toEqual(keptBefore);
  });

  it("keeps a renamed device's events and sessions under its new ID", async () => {
    const events = stormEvents("renamed-");
    await recordIngestBatch(testDb.db, { events });
    const [renamed] = [...new Set(events.map((e) => e.deviceId))];
    const before = await historyOf(renamed!);
    expect(before.sessions).toBeGreaterThan(0);

    await testDb.db.$executeRaw`UPDATE devices SET id = ${`${renamed}-new`} WHERE id = ${renamed}`;

    expect(await historyOf(`${renamed}-new`)).toEqual(before);
    expect(await historyOf(renamed!)).toEqual({ events: 0, sessions: 0 });
  });
});
