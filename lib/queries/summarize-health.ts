import type { WorkerHeartbeat } from "./list-worker-statuses.ts";

/** A worker whose heartbeat is older than this is considered gone (it beats every few seconds). */
export const HEARTBEAT_STALE_AFTER_MS = 15_000;
/** A source whose writes have failed for longer than this makes the whole product unhealthy. */
export const DEFAULT_SOURCE_FAILING_AFTER_MS = 60_000;

/**
 * `ok`: committing normally. `failing`: a batch has failed to commit since `failingSince` (being retried).
 * `stale`: no worker of the source has sent a heartbeat lately (stopped or crashed).
 */
export type SourceHealth = {
  source: string;
  status: "ok" | "failing" | "stale";
  workers: number;
  lastCommitAt: Date | null;
  failingSince: Date | null;
  backlog: number;
  /** Messages the source's live workers hold unacknowledged now (the same count as `backlog`), and their limits summed. */
  inFlight: number;
  inFlightLimit: number | null;
};

export type Health = {
  ok: boolean;
  db: boolean;
  broker: boolean;
  worker: { connected: boolean; lagMs: number | null; lastEventAt: Date | null; heartbeatAt: Date | null };
  sources: SourceHealth[];
};

type HealthInput = { dbOk: boolean; workers: WorkerHeartbeat[]; now: Date; sourceFailingAfterMs?: number };

/**
 * Pure: the health document from a database ping result and the worker heartbeat rows. Not ok when the database
 * is down, no worker is connected to its broker, or any source has failed to commit for longer than the threshold.
 */
export function summarizeHealth(input: HealthInput): Health {
  const isFresh = (worker: WorkerHeartbeat) => input.now.getTime() - worker.heartbeatAt.getTime() < HEARTBEAT_STALE_AFTER_MS;
  const fresh = input.workers.filter(isFresh);
  const connected = fresh.filter((worker) => worker.brokerConnected);
  const newest = (connected[0] ?? fresh[0] ?? input.workers[0]) as WorkerHeartbeat | undefined;
  const lastEventAt = input.workers.reduce<Date | null>(
    (latest, worker) => (worker.lastEventAt && (!latest || worker.lastEventAt > latest) ? worker.lastEventAt : latest),
    null,
  );
  const workerConnected = connected.length > 0;
  const sources = summarizeSources(input.workers, isFresh);
  const failingAfterMs = input.sourceFailingAfterMs ?? DEFAULT_SOURCE_FAILING_AFTER_MS;
  const stuck = sources.some(
    (source) => source.failingSince !== null && input.now.getTime() - source.failingSince.getTime() > failingAfterMs,
  );
  return {
    ok: input.dbOk && workerConnected && !stuck,
    db: input.dbOk,
    broker: workerConnected,
    worker: {
      connected: workerConnected,
      lagMs: connected.length > 0 ? Math.max(...connected.map((worker) => worker.lagMs ?? 0)) : null,
      lastEventAt,
      heartbeatAt: newest?.heartbeatAt ?? null,
    },
    sources,
  };
}

function summarizeSources(workers: readonly WorkerHeartbeat[], isFresh: (worker: WorkerHeartbeat) => boolean): SourceHealth[] {
  const bySource = new Map<string, WorkerHeartbeat[]>();
  for (const worker of workers) {
    if (!worker.source) continue;
    const workers = bySource.get(worker.source);
    if (workers) workers.push(worker);
    else bySource.set(worker.source, [worker]);
  }
  return [...bySource.entries()]
    .map(([source, rows]) => {
      const live = rows.filter(isFresh);
      // With several workers on one source, the one failing longest decides: its messages are not moving.
      const failingSince = live.reduce<Date | null>(
        (earliest, worker) => (worker.failingSince && (!earliest || worker.failingSince < earliest) ? worker.failingSince : earliest),
        null,
      );
      const lastCommitAt = rows.reduce<Date | null>(
        (latest, worker) => (worker.lastCommitAt && (!latest || worker.lastCommitAt > latest) ? worker.lastCommitAt : latest),
        null,
      );
      const status: SourceHealth["status"] = live.length === 0 ? "stale" : failingSince ? "failing" : "ok";
      const backlog = live.reduce((sum, worker) => sum + (worker.backlog ?? 0), 0);
      const limits = live.map((worker) => worker.inFlightLimit).filter((limit): limit is number => typeof limit === "number");
      const inFlightLimit = limits.length > 0 ? limits.reduce((sum, limit) => sum + limit, 0) : null;
      return { source, status, workers: live.length, lastCommitAt, failingSince, backlog, inFlight: backlog, inFlightLimit };
    })
    .sort((a, b) => a.source.localeCompare(b.source));
}
