import type { Db } from "@/lib/db/client.ts";

export type WorkerHeartbeat = {
  id: string;
  brokerConnected: boolean;
  lastEventAt: Date | null;
  lagMs: number | null;
  heartbeatAt: Date;
  /** Optional so callers that build rows by hand (tests, old rows) need not name them. */
  source?: string | null;
  lastCommitAt?: Date | null;
  failingSince?: Date | null;
  backlog?: number;
  /** The most messages the worker holds unacknowledged; null for workers from before the bound was kept. */
  inFlightLimit?: number | null;
};

export async function listWorkerStatuses(db: Db): Promise<WorkerHeartbeat[]> {
  return db.workerStatus.findMany({
    select: {
      id: true,
      brokerConnected: true,
      lastEventAt: true,
      lagMs: true,
      heartbeatAt: true,
      source: true,
      lastCommitAt: true,
      failingSince: true,
      backlog: true,
      inFlightLimit: true,
    },
    orderBy: { heartbeatAt: "desc" },
  });
}
