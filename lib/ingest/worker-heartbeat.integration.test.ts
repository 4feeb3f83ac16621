import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import type { IngestWorker } from "@/lib/ingest/ingest-worker.ts";
import { startIngestWorkerFixture, type IngestWorkerFixture } from "@/lib/testing/ingest-worker-fixture.ts";
import type { TestDatabase } from "@/lib/testing/test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// The heartbeat is what /api/health reads: a backlog of old events (history replayed, a worker back after weeks) must
// not make it fail. worker_status.lag_ms is an int4: a lag above 24.8 days failed every heartbeat ("value out of range").

let fixture: IngestWorkerFixture;
let testDb: TestDatabase;
let broker: EmbeddedBroker;
let worker: IngestWorker;
const run = randomUUID().slice(0, 8);
const topic = `linkscope-test/${run}/heartbeat`;
const clientId = `heartbeat-${run}`;

beforeAll(async () => {
  fixture = await startIngestWorkerFixture({ topics: [topic], clientId });
  ({ testDb, broker, worker } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

describe("worker heartbeat", () => {
  it("keeps beating while it stores events sixty days old", async () => {
    const occurredAt = new Date(Date.now() - 60 * 86_400_000);
    const publisher = await mqtt.connectAsync(broker.url, { clientId: `heartbeat-pub-${run}`, reconnectPeriod: 0 });
    await publisher.publishAsync(
      topic,
      JSON.stringify({ event: "client.connected", clientid: `old-${run}`, node: "n1", connected_at: occurredAt.getTime() }),
      { qos: 1 },
    );
    await publisher.endAsync();
    await waitFor(
      async () => worker.stats().eventsWritten,
      (n) => n === 1,
    );

    const row = await waitFor(
      () => testDb.db.workerStatus.findUnique({ where: { id: clientId } }),
      (status) => status?.lastEventAt?.getTime() === occurredAt.getTime(),
    );
    expect(row?.lastEventAt).toEqual(occurredAt);
    expect(row?.eventsWritten).toBe(1n);
    // The column's largest value: "at least 24.8 days behind".
    expect(row?.lagMs).toBe(2_147_483_647);
  });
});
