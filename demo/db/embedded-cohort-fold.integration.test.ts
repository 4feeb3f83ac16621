import { describe, expect, it } from "vitest";
import { foldCohortHours } from "@/lib/cohorts/fold-cohort-hours.ts";
import { seedImportedHistory } from "@/lib/testing/fleet-test-database.ts";
import { useMigratedEmbeddedDatabase } from "./migrated-embedded-database.ts";

// `npm start` runs on the embedded database (PGlite): the writer's ahead-committed devices and the cohort fold's
// snapshot watermark (pg_current_snapshot, pg_visible_in_snapshot) must work there as on Postgres 15.
const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 8, 1));
const END = new Date(FROM.getTime() + 30 * HOUR + 10 * 60_000);

const embedded = useMigratedEmbeddedDatabase("fold");

describe("the write path and the cohort fold on the embedded database", () => {
  it("stores a fleet's history, folds it once, and folds only the current hour again", async () => {
    const { events, inserted } = await seedImportedHistory(embedded.db, {
      seed: 11,
      devices: 6,
      from: FROM,
      to: END,
      nodes: ["node-1"],
      batchSize: 200,
    });
    expect(inserted).toBe(events.length);

    const first = await foldCohortHours(embedded.db, { now: END });
    expect(first.folded).toBe(true);
    expect(first.from.getTime()).toBeLessThanOrEqual(FROM.getTime());
    const second = await foldCohortHours(embedded.db, { now: END });
    expect(second.from).toEqual(new Date(Math.floor(END.getTime() / HOUR) * HOUR));
  }, 180_000);
});
