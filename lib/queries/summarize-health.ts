import type { WorkerHeartbeat } from "./list-worker-statuses.ts";

/** A worker whose heartbeat is older than this is considered gone (it beats every few seconds). */
export const HEARTBEAT_STALE_AFTER_MS = 15_000;

export type Health = {
  ok: boolean;
  db: boolean;
  broker: boolean;
  worker: { connected: boolean; lagMs: number | null; lastEventAt: Date | null; heartbeatAt: Date | null };
};

/** Pure: the health document from a database ping result and the worker heartbeat rows. */
export function summarizeHealth(input: { dbOk: boolean; workers: WorkerHeartbeat[]; now: Date }): Health {
  const fresh = input.workers.filter((worker) => input.now.getTime() - worker.heartbeatAt.getTime() < HEARTBEAT_STALE_AFTER_MS);
  const connected = fresh.filter((worker) => worker.brokerConnected);
  const newest = (connected[0] ?? fresh[0] ?? input.workers[0]) as WorkerHeartbeat | undefined;
  const lastEventAt = input.workers.reduce<Date | null>(
    (latest, worker) => (worker.lastEventAt && (!latest || worker.lastEventAt > latest) ? worker.lastEventAt : latest),
    null,
  );
  const workerConnected = connected.length > 0;
  return {
    ok: input.dbOk && workerConnected,
    db: input.dbOk,
    broker: workerConnected,
    worker: {
      connected: workerConnected,
      lagMs: connected.length > 0 ? Math.max(...connected.map((worker) => worker.lagMs ?? 0)) : null,
      lastEventAt,
      heartbeatAt: newest?.heartbeatAt ?? null,
    },
  };
}
