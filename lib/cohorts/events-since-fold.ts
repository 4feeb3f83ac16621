import { Prisma } from "@/lib/db/client.ts";

/**
 * Ids are allocated before commit, so a batch may commit after a fold read a later id. A fold re-reads this many ids
 * behind its watermark, keeping those received (received_at: the writer's transaction start) shortly before the last
 * fold: a writer transaction lasts at most 60 s.
 */
const LATE_COMMIT_ID_MARGIN = 20_000n;
const LATE_COMMIT_WINDOW = Prisma.sql`interval '2 minutes'`;

/** Events stored since a fold that saw ids up to `lastEventId` and ran at `foldedAt`, on a connection_events row `e`. */
export function eventsSinceFold(fold: { lastEventId: bigint; foldedAt: Date }): Prisma.Sql {
  return Prisma.sql`e.id > ${fold.lastEventId - LATE_COMMIT_ID_MARGIN}
    AND (e.id > ${fold.lastEventId} OR e.received_at >= ${fold.foldedAt}::timestamptz - ${LATE_COMMIT_WINDOW})`;
}
