import type { Db } from "@/lib/db/client.ts";
import { listTableSizes, type TableSize } from "./list-table-sizes.ts";
import { readRetentionPolicy, type RetentionPolicy } from "./retention-policy.ts";
import { listRetentionProgress } from "./retention-progress.ts";
import { listMonthPartitions, type MonthPartition } from "./time-partitions.ts";

export type StorageOverview = {
  policy: RetentionPolicy;
  partitions: MonthPartition[];
  progress: { task: string; doneUntil: Date; updatedAt: Date }[];
  tables: TableSize[];
};

/** The effective retention policy (from this process's environment), what the retention pass has done, and table sizes. */
export async function getStorageOverview(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<StorageOverview> {
  const [partitions, progress, tables] = await Promise.all([listMonthPartitions(db), listRetentionProgress(db), listTableSizes(db)]);
  return { policy: readRetentionPolicy(env), partitions, progress: progress.filter((row) => row.task !== "pass_lease"), tables };
}
