import type { Db } from "@/lib/db/client.ts";
import { readRetentionPolicy, type RetentionPolicy } from "./retention-policy.ts";
import { listRetentionProgress } from "./retention-progress.ts";
import { listMonthPartitions, type MonthPartition } from "./time-partitions.ts";

export type StorageOverview = {
  policy: RetentionPolicy;
  partitions: MonthPartition[];
  progress: { task: string; doneUntil: Date; updatedAt: Date }[];
};

/** The effective retention policy (from this process's environment) and what the retention pass has done. */
export async function getStorageOverview(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<StorageOverview> {
  const [partitions, progress] = await Promise.all([listMonthPartitions(db), listRetentionProgress(db)]);
  return { policy: readRetentionPolicy(env), partitions, progress: progress.filter((row) => row.task !== "pass_lease") };
}
