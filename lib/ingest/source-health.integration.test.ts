import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { listWorkerStatuses } from "@/lib/queries/list-worker-statuses.ts";
import { summarizeHealth } from "@/lib/queries/summarize-health.ts";
import { startIngestWorkerFixture, type IngestWorkerFixture } from "@/lib/testing/ingest-worker-fixture.ts";
import type { TestDatabase } from "@/lib/testing/test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// A source whose batches cannot commit (here: a trigger answers "disk full" for one device's events: an error about
// the database, not the data, so the worker retries instead of setting the record aside) must show in
// /api/health's document, not only in the worker's log.

let fixture: IngestWorkerFixture;
let testDb: TestDatabase;
let broker: EmbeddedBroker;
const STUCK_DEVICE = `stuck-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  fixture = await startIngestWorkerFixture({ dbBackoff: { baseMs: 100, maxMs: 200 }, stopTimeoutMs: 500 });
  ({ testDb, broker } = fixture);
  await testDb.db.$executeRawUnsafe(`
    CREATE FUNCTION refuse_stuck_device() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id = '${STUCK_DEVICE}' THEN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '53100'; END IF;
      RETURN NEW;
    END $$`);
  await testDb.db.$executeRawUnsafe(
    `CREATE TRIGGER refuse_stuck_device BEFORE INSERT ON devices FOR EACH ROW EXECUTE FUNCTION refuse_stuck_device()`,
  );
});

afterAll(async () => {
  await fixture?.stop();
});

describe("source health", () => {
  it("reports a source that commits, then one that keeps failing, and health turns not ok", async () => {
    const healthy = await mqtt.connectAsync(broker.url, { clientId: `healthy-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 });
    const committed = await waitFor(
      async () => (await listWorkerStatuses(testDb.db))[0],
      (row) => row?.lastCommitAt != null,
    );
    expect(committed?.source).toBe("emqx");
    expect(summarizeHealth({ dbOk: true, workers: await listWorkerStatuses(testDb.db), now: new Date(), sourceFailingAfterMs: 0 }).ok).toBe(
      true,
    );

    const stuck = await mqtt.connectAsync(broker.url, { clientId: STUCK_DEVICE, reconnectPeriod: 0 });
    const failing = await waitFor(
      async () => (await listWorkerStatuses(testDb.db))[0],
      (row) => row?.failingSince != null,
    );
    expect(failing?.backlog).toBeGreaterThan(0);
    const health = summarizeHealth({
      dbOk: true,
      workers: await listWorkerStatuses(testDb.db),
      now: new Date(Date.now() + 1),
      sourceFailingAfterMs: 0,
    });
    expect(health.ok).toBe(false);
    expect(health.broker).toBe(true);
    expect(health.sources).toEqual([expect.objectContaining({ source: "emqx", status: "failing", failingSince: failing?.failingSince })]);
    const row = await testDb.db.workerStatus.findFirstOrThrow({ select: { lastError: true } });
    expect(row.lastError).toMatch(/refused by the test/);

    await testDb.db.$executeRawUnsafe(`DROP TRIGGER refuse_stuck_device ON devices`);
    await waitFor(
      async () => (await listWorkerStatuses(testDb.db))[0],
      (latest) => latest?.failingSince === null,
    );
    expect(summarizeHealth({ dbOk: true, workers: await listWorkerStatuses(testDb.db), now: new Date(), sourceFailingAfterMs: 0 }).ok).toBe(
      true,
    );
    await Promise.all([healthy.endAsync(), stuck.endAsync()]);
  });
});
