import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

export type RetentionTask = "trim_raw_payloads" | "downsample_minute_rollups";

/** Up to where an incremental retention task is done, or null before its first run. */
export async function readRetentionProgress(db: Db, task: RetentionTask): Promise<Date | null> {
  const rows = await queryRows(
    db,
    "readRetentionProgress",
    z.object({ doneUntil: SqlDate }),
    Prisma.sql`SELECT done_until AS "doneUntil" FROM retention_progress WHERE task = ${task}`,
  );
  return rows[0]?.doneUntil ?? null;
}

const RetentionProgressSchema = z.object({ task: z.string(), doneUntil: SqlDate, updatedAt: SqlDate });

export async function listRetentionProgress(db: Db): Promise<z.infer<typeof RetentionProgressSchema>[]> {
  return queryRows(
    db,
    "listRetentionProgress",
    RetentionProgressSchema,
    Prisma.sql`SELECT task, done_until AS "doneUntil", updated_at AS "updatedAt" FROM retention_progress ORDER BY task`,
  );
}

/** Records progress; never moves backwards (two processes finishing out of order). */
export async function recordRetentionProgress(db: Db, task: RetentionTask, doneUntil: Date): Promise<void> {
  await db.$executeRaw`
    INSERT INTO retention_progress (task, done_until, updated_at) VALUES (${task}, ${doneUntil}, now())
    ON CONFLICT (task) DO UPDATE SET done_until = GREATEST(retention_progress.done_until, EXCLUDED.done_until), updated_at = now()`;
}
