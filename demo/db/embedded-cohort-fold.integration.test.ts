import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldCohortHours } from "@/lib/cohorts/fold-cohort-hours.ts";
import { createDb, type Db } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { seedImportedHistory } from "@/lib/testing/fleet-test-database.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";

// `npm start` runs on the embedded database (PGlite): the writer's ahead-committed devices and the cohort fold's
// snapshot watermark (pg_current_snapshot, pg_visible_in_snapshot) must work there as on Postgres 15.
const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 8, 1));
const END = new Date(FROM.getTime() + 30 * HOUR + 10 * 60_000);

let dataDir: string;
let embedded: EmbeddedPostgres;
let db: Db;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "linkscope-pglite-fold-"));
  embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 6 });
  await applyMigrations(embedded.url);
  db = createDb(embedded.url, 3);
}, 180_000);

afterAll(async () => {
  await db?.$disconnect();
  await embedded?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the write path and the cohort fold on the embedded database", () => {
  it("stores a fleet's history, folds it once, and folds only the current hour again", async () => {
    const { events, inserted } = await seedImportedHistory(db, {
      seed: 11,
      devices: 6,
      from: FROM,
      to: END,
      nodes: ["node-1"],
      batchSize: 200,
    });
    expect(inserted).toBe(events.length);

    const first = await foldCohortHours(db, { now: END });
    expect(first.folded).toBe(true);
    expect(first.from.getTime()).toBeLessThanOrEqual(FROM.getTime());
    const second = await foldCohortHours(db, { now: END });
    expect(second.from).toEqual(new Date(Math.floor(END.getTime() / HOUR) * HOUR));
  }, 180_000);
});
