import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { generateSyntheticFleetEvents, type SyntheticFleetOptions } from "./synthetic-fleet.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

/** Writes events through the ingest writer `batchSize` at a time, so every table and rollup it keeps is filled. */
export async function recordInBatches(db: Db, events: readonly ConnectionEvent[], batchSize: number): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) await recordConnectionEvents(db, events.slice(i, i + batchSize));
}

/**
 * A test database of its own holding a synthetic fleet: its devices, events, sessions and every rollup the writer
 * keeps. Events arrive as a broker delivers them: 2 % twice and 5 % late unless `fleet` says otherwise.
 */
export async function createFleetTestDatabase(fleet: SyntheticFleetOptions, options: { batchSize: number }): Promise<TestDatabase> {
  const test = await createTestDatabase();
  try {
    await recordInBatches(test.db, generateSyntheticFleetEvents({ duplicateRate: 0.02, lateRate: 0.05, ...fleet }), options.batchSize);
  } catch (error) {
    await test.drop();
    throw error;
  }
  return test;
}
