import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryFirstRow } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";

/** How stale the cohort rollups may be when events arrived since the last fold (the worker folds every 30 s). */
const NEW_EVENTS_STALE_MS = 30_000;
/** How stale they may be without new events: the current hour's exposure keeps growing. */
const QUIET_STALE_MS = 300_000;

const FoldAge = z.object({ foldedAt: SqlDate.nullable(), behind: z.boolean() });

/**
 * Folds before a cohort read when the rollups are stale (no worker folding them, e.g. a web-only process or tests);
 * skips when another process is folding, so concurrent requests do not queue behind each other.
 */
export async function ensureCohortsFolded(db: Db, now = new Date()): Promise<void> {
  const state = await queryFirstRow(
    db,
    "cohortFoldAge",
    FoldAge,
    Prisma.sql`
    SELECT s.folded_at AS "foldedAt", COALESCE((SELECT MAX(id) FROM connection_events) > s.last_event_id, false) AS behind
    FROM (SELECT 1) one LEFT JOIN cohort_fold_state s ON s.id = 1`,
  );
  const age = state?.foldedAt ? now.getTime() - state.foldedAt.getTime() : Infinity;
  if (age > QUIET_STALE_MS || (state?.behind && age > NEW_EVENTS_STALE_MS)) await foldCohortHours(db, { now, skipIfBusy: true });
}
