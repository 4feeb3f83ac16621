import { Prisma } from "@/lib/db/client.ts";

/**
 * Ids are allocated before commit, so a batch may commit after a fold read a later id. A fold re-reads this many ids
 * behind its watermark and keeps those its snapshot could not see: their transaction was still running then.
 */
const LATE_COMMIT_ID_MARGIN = 20_000n;

/** The statement's snapshot, to store with a watermark read in the same statement (pg_current_snapshot() as text). */
export const FOLD_SNAPSHOT = Prisma.sql`pg_current_snapshot()::text`;

/**
 * A connection_events row `e`'s inserting transaction as xid8. `xmin` is only 32 bits: widen it against the current
 * snapshot's xmax, which no committed row's xid can pass.
 */
const ROW_XID = Prisma.sql`(pg_snapshot_xmax(pg_current_snapshot())::text::bigint
  - ((pg_snapshot_xmax(pg_current_snapshot())::text::bigint - e.xmin::text::bigint) & 4294967295))::text::xid8`;

/**
 * Events stored since a fold that saw ids up to `lastEventId` under `snapshot` (FOLD_SNAPSHOT), on a connection_events
 * row `e`. Without a snapshot (state written before snapshots were kept) every id in the margin counts, once.
 */
export function eventsSinceFold(fold: { lastEventId: bigint; snapshot: string | null }): Prisma.Sql {
  const unseen =
    fold.snapshot === null ? Prisma.sql`true` : Prisma.sql`NOT pg_visible_in_snapshot(${ROW_XID}, ${fold.snapshot}::pg_snapshot)`;
  return Prisma.sql`e.id > ${fold.lastEventId - LATE_COMMIT_ID_MARGIN} AND (e.id > ${fold.lastEventId} OR ${unseen})`;
}
