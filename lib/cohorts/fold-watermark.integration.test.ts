import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { seedImportedHistory } from "@/lib/testing/fleet-test-database.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";

const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 8, 1));
const END = new Date(FROM.getTime() + 40 * HOUR + 25 * 60_000);
const floorHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR) * HOUR);

const database = useTestDatabase();

beforeAll(async () => {
  // An import of history just now: every event was received a moment ago.
  await seedImportedHistory(database.db, { seed: 5, devices: 12, from: FROM, to: END, nodes: ["node-1"] });
}, 120_000);

describe("cohort fold watermark", () => {
  it("does not fold an import's hours again on the next run, however recently it was received", async () => {
    const first = await foldCohortHours(database.db, { now: END });
    expect(first.from.getTime()).toBeLessThanOrEqual(FROM.getTime());

    const second = await foldCohortHours(database.db, { now: END });
    // Only the current, partial hour is folded again.
    expect(second.from).toEqual(floorHour(END));
  });

  it("still folds a write that committed after a fold had read past its id", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      // Takes an id now but commits only after the next fold, as a slow writer transaction does.
      await client.query(
        `
        INSERT INTO connection_events (dedupe_key, device_id, kind, occurred_at, reason, initiator, source, raw)
        SELECT dedupe_key || ':late', device_id, kind, occurred_at, reason, initiator, source, raw
        FROM connection_events WHERE occurred_at >= $1 ORDER BY occurred_at LIMIT 1`,
        [new Date(FROM.getTime() + 3 * HOUR)],
      );
      await recordIngestBatch(database.db, {
        events: [makeConnectionEvent({ deviceId: "late-commit-peer", occurredAt: new Date(END.getTime() - 5 * 60_000) })],
      });
      await foldCohortHours(database.db, { now: END });
      await client.query("COMMIT");
    } finally {
      await client.end();
    }

    const next = await foldCohortHours(database.db, { now: END });
    expect(next.from).toEqual(new Date(FROM.getTime() + 3 * HOUR));
  });
});
