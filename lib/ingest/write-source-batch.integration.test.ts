import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { buildDeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

const testDb = useTestDatabase();

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("writeSourceBatch", () => {
  it("commits a batch's source counters with its events: never events without their counters", async () => {
    const source = `atomic-${randomUUID().slice(0, 8)}`;
    const deviceId = `dev-${randomUUID()}`;
    const at = Date.now() - 60_000;
    const events = [0, 1, 2].map((i) =>
      makeConnectionEvent({ deviceId, source, occurredAt: new Date(at + i * 1000), kind: i % 2 === 0 ? "connected" : "disconnected" }),
    );
    const countEvents = () =>
      withClient(async (c) =>
        Number((await c.query("SELECT count(*) AS n FROM connection_events WHERE device_id = $1", [deviceId])).rows[0].n),
      );

    // The counters' table is held, so the writer stops where it adds to them; what others see then is the question.
    const holder = new pg.Client({ connectionString: testDb.url });
    await holder.connect();
    let write: Promise<unknown> | undefined;
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE ingest_source_minute IN SHARE MODE");
      write = writeSourceBatch(testDb.db, { source, events, deadLetters: [], receivedAt: new Date() });
      // Only the held table can make a session of this database wait on a lock here.
      const waiting = await waitFor(
        () =>
          withClient(
            async (c) =>
              (
                await c.query(
                  "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                )
              ).rowCount,
          ),
        (rows) => rows === 1,
      );
      expect(waiting).toBe(1);
      expect(await countEvents()).toBe(0);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    await write;
    expect(await countEvents()).toBe(3);
    const [stats] = await withClient(
      async (c) =>
        (
          await c.query(
            "SELECT SUM(received)::int AS received, SUM(inserted)::int AS inserted FROM ingest_source_minute WHERE source = $1",
            [source],
          )
        ).rows,
    );
    expect(stats).toEqual({ received: 3, inserted: 3 });
  });

  it("counts events older than their device's stored state or an earlier event of the batch as out of order, duplicates too", async () => {
    const source = `order-${randomUUID().slice(0, 8)}`;
    const [known, fresh] = [`known-${randomUUID()}`, `fresh-${randomUUID()}`];
    const at = Date.parse("2026-11-01T10:00:00Z");
    const event = (deviceId: string, ordering: bigint, kind: "connected" | "disconnected" = "connected") =>
      makeConnectionEvent({
        deviceId,
        source,
        kind,
        ordering,
        occurredAt: new Date(at + Number(ordering) * 1000),
        dedupeKey: `${deviceId}:${ordering}`,
      });
    const write = (events: ReturnType<typeof event>[]) => writeSourceBatch(testDb.db, { source, events, deadLetters: [] });

    expect(await write([event(known, 4n)])).toMatchObject({ accepted: 1, outOfOrder: 0 });
    // Older than the stored state (2), newer (5), then older than the batch's own newer event (3); a new device is in order.
    expect(
      await write([event(known, 2n, "disconnected"), event(known, 5n), event(known, 3n, "disconnected"), event(fresh, 1n)]),
    ).toMatchObject({
      accepted: 4,
      outOfOrder: 2,
    });
    // A batch of nothing but a redelivered old event: stored already, and older than the device's state.
    expect(await write([event(known, 4n)])).toMatchObject({ accepted: 0, duplicate: 1, outOfOrder: 1 });
    // A late event without an ordering key is compared by time.
    const late = makeConnectionEvent({
      deviceId: fresh,
      source,
      kind: "disconnected",
      occurredAt: new Date(at),
      dedupeKey: `${fresh}:late`,
    });
    expect(await write([late])).toMatchObject({ accepted: 1, outOfOrder: 1 });
  });

  it("keeps samples dated before 1970 or ten years after receipt as dead letters and writes the rest", async () => {
    const source = `samples-${randomUUID().slice(0, 8)}`;
    const deviceId = `dev-${randomUUID()}`;
    const receivedAt = new Date();
    const sample = (at: Date, rssiDbm: number) => buildDeviceSample({ deviceId, series: "test", at, vitals: { rssiDbm } });
    const result = await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [],
      receivedAt,
      samples: [
        sample(new Date(receivedAt.getTime() - 60_000), -60),
        sample(new Date(Date.UTC(2999, 0, 1)), -61),
        sample(new Date(Date.UTC(1969, 11, 31)), -62),
      ],
    });
    expect(result.rejected).toBe(2);
    const stored = await testDb.db.deviceSample.findMany({ where: { deviceId } });
    expect(stored.map((row) => row.rssiDbm)).toEqual([-60]);
    const letters = await testDb.db.deadLetter.findMany({ where: { topic: `refused-sample:${deviceId}` }, orderBy: { id: "asc" } });
    expect(letters.map((letter) => letter.error)).toEqual([
      expect.stringContaining("more than ten years after it was received"),
      expect.stringContaining("before 1970-01-01"),
    ]);
  });
});
