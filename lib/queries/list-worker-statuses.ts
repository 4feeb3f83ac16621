import type { Db } from "@/lib/db/client.ts";

export type WorkerHeartbeat = {
  id: string;
  brokerConnected: boolean;
  lastEventAt: Date | null;
  lagMs: number | null;
  heartbeatAt: Date;
};

export async function listWorkerStatuses(db: Db): Promise<WorkerHeartbeat[]> {
  return db.workerStatus.findMany({
    select: { id: true, brokerConnected: true, lastEventAt: true, lagMs: true, heartbeatAt: true },
    orderBy: { heartbeatAt: "desc" },
  });
}
