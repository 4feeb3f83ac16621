import { Prisma, type Db } from "@/lib/db/client.ts";
import { readRetentionProgress, recordRetentionProgress } from "./retention-progress.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const DAY = 86_400_000;
/** Days trimmed per run at most; each day is one statement over the occurred_at index. */
const MAX_DAYS_PER_RUN = 14;

/** Flag on an event whose raw payload was replaced by the retention pass (the raw-events view says so). */
export const RAW_TRIMMED_FLAG = "raw_trimmed";

/**
 * Replaces the raw payload of events older than `cutoff` with a stub that keeps its size, day by day from where the
 * last run stopped. The event's parsed fields stay; only re-processing from the original payload is no longer
 * possible for those events.
 */
export async function trimRawPayloads(db: Db, cutoff: Date): Promise<{ trimmed: number; until: Date | null }> {
  const start = (await readRetentionProgress(db, "trim_raw_payloads")) ?? (await oldestEventTime(db));
  if (!start || start.getTime() >= cutoff.getTime()) return { trimmed: 0, until: null };

  let trimmed = 0;
  let dayStart = start;
  for (let day = 0; day < MAX_DAYS_PER_RUN && dayStart.getTime() < cutoff.getTime(); day++) {
    const dayEnd = new Date(Math.min(dayStart.getTime() + DAY, cutoff.getTime()));
    trimmed += await db.$executeRaw`
      UPDATE connection_events
      SET raw = jsonb_build_object('trimmed', true, 'bytes', octet_length(raw::text)), flags = array_append(flags, ${RAW_TRIMMED_FLAG})
      WHERE occurred_at >= ${dayStart} AND occurred_at < ${dayEnd} AND NOT (${RAW_TRIMMED_FLAG} = ANY(flags))`;
    await recordRetentionProgress(db, "trim_raw_payloads", dayEnd);
    dayStart = dayEnd;
  }
  return { trimmed, until: dayStart };
}

async function oldestEventTime(db: Db): Promise<Date | null> {
  const rows = await queryRows(
    db,
    "oldestEventTime",
    z.object({ oldest: SqlDate.nullable() }),
    Prisma.sql`SELECT MIN(occurred_at) AS oldest FROM connection_events`,
  );
  return rows[0]?.oldest ?? null;
}
