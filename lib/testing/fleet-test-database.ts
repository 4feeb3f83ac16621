import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { HOUR_MS, MINUTE_MS } from "@/lib/time/durations.ts";
import { generateSyntheticFleetEvents, type SyntheticFleetOptions } from "./synthetic-fleet.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

/**
 * Writes events through the ingest writer `batchSize` at a time, so every table and rollup it keeps is filled.
 * Returns how many were new.
 */
export async function recordInBatches(db: Db, events: readonly ConnectionEvent[], batchSize: number): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += batchSize)
    inserted += (await recordConnectionEvents(db, events.slice(i, i + batchSize))).inserted;
  return inserted;
}

export type ImportedHistoryOptions = Omit<SyntheticFleetOptions, "meanSessionMs" | "meanGapMs"> &
  Partial<Pick<SyntheticFleetOptions, "meanSessionMs" | "meanGapMs">> & {
    /** Events per writer batch (500); `Infinity` writes the whole history in one batch. */
    batchSize?: number;
  };

/**
 * A synthetic fleet's history recorded through the writer in delivery order, as an import of it would be: every
 * event is received now, however long ago it happened. Sessions last 2 h and gaps 15 min on average unless the
 * options say otherwise. Returns the events as delivered and how many of them were new.
 */
export async function seedImportedHistory(
  db: Db,
  { batchSize = 500, meanSessionMs = 2 * HOUR_MS, meanGapMs = 15 * MINUTE_MS, ...fleet }: ImportedHistoryOptions,
): Promise<{ events: ConnectionEvent[]; inserted: number }> {
  const events = generateSyntheticFleetEvents({ meanSessionMs, meanGapMs, ...fleet });
  return { events, inserted: await recordInBatches(db, events, batchSize) };
}

/**
 * A test database of its own holding a synthetic fleet: its devices, events, sessions and every rollup the writer
 * keeps. Events arrive as a broker delivers them: 2 % twice and 5 % late unless `fleet` says otherwise.
 */
export async function createFleetTestDatabase(fleet: SyntheticFleetOptions, options: { batchSize: number }): Promise<TestDatabase> {
  const test = await createTestDatabase();
  try {
    await seedImportedHistory(test.db, { duplicateRate: 0.02, lateRate: 0.05, ...fleet, batchSize: options.batchSize });
  } catch (error) {
    await test.drop();
    throw error;
  }
  return test;
}
