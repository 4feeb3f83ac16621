import type { Db } from "@/lib/db/client.ts";
import { DAY_MS } from "@/lib/time/durations.ts";

/** Rows one call deletes at most, so a first pass over a large backlog never holds a long transaction. */
const PRUNE_BATCH = 10_000;

/** Deletes probe runs older than the retention; returns how many went. */
export async function pruneProbeRuns(db: Db, input: { now: Date; retentionDays: number }): Promise<number> {
  const cutoff = new Date(input.now.getTime() - input.retentionDays * DAY_MS);
  return db.$executeRaw`
    DELETE FROM probe_runs WHERE id IN (SELECT id FROM probe_runs WHERE started_at < ${cutoff} ORDER BY started_at LIMIT ${PRUNE_BATCH})`;
}
