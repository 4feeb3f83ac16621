import type { Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { listWorkerStatuses } from "@/lib/queries/list-worker-statuses.ts";
import { summarizeHealth } from "@/lib/queries/summarize-health.ts";
import { countEventsAfter } from "./count-events-after.ts";
import { createEventTracker, type EventTracker } from "./event-tracker.ts";
import { getLatestEventId } from "./get-latest-event-id.ts";
import { listEventsAfter } from "./list-events-after.ts";
import type { LiveChange, LiveMessage, LiveStatus } from "./live-messages.ts";

export const LIVE_POLL_INTERVAL_MS = 250;
/** After a failed poll (database restarting), wait longer before the next one. */
const POLL_RETRY_MS = 2000;

export type LiveListener = (message: LiveMessage) => void;

export type LiveHub = {
  /** Starts polling with the first subscriber; the returned function unsubscribes (the last one stops it). */
  subscribe(listener: LiveListener): () => void;
  /** True while a poll timer or a poll is pending (for tests: nothing may be left behind). */
  isPolling(): boolean;
  subscriberCount(): number;
};

const log = createLogger("live");

/**
 * One poller per process, however many browsers listen: each poll costs a count over the newest ids of the
 * primary key and the worker_status rows (a handful), and its result is fanned out to every subscriber.
 * See decision 011 for why this polls rather than LISTEN/NOTIFY.
 */
export function createLiveHub(db: Db, options: { intervalMs?: number; now?: () => Date } = {}): LiveHub {
  const intervalMs = options.intervalMs ?? LIVE_POLL_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  const listeners = new Set<LiveListener>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let generation = 0;
  let tracker: EventTracker | null = null;
  let lastChange: LiveChange | null = null;
  let lastStatus: { key: string; heartbeatAt: Date | null; status: Omit<LiveStatus, "heartbeatAgeMs"> } | null = null;

  const broadcast = (message: LiveMessage) => {
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        log.warn({ err: (error as Error).message }, "live listener failed");
      }
    }
  };
  const statusMessage = (): LiveMessage | null =>
    lastStatus && {
      event: "status",
      data: {
        ...lastStatus.status,
        heartbeatAgeMs: lastStatus.heartbeatAt ? Math.max(0, now().getTime() - lastStatus.heartbeatAt.getTime()) : null,
      },
    };

  const pollOnce = async (run: number) => {
    tracker ??= createEventTracker({
      latestId: () => getLatestEventId(db),
      countAfter: (afterId) => countEventsAfter(db, afterId),
      listAfter: (afterId, limit) => listEventsAfter(db, { afterId, limit }),
    });
    const [change, workers] = await Promise.all([tracker.poll(), listWorkerStatuses(db)]);
    if (run !== generation) return;
    if (change) {
      lastChange = change;
      broadcast({ event: "change", data: change });
    }
    const health = summarizeHealth({ dbOk: true, workers, now: now() });
    const status = {
      workerConnected: health.worker.connected,
      lagMs: health.worker.lagMs,
      lastEventAt: health.worker.lastEventAt?.toISOString() ?? null,
    };
    const key = JSON.stringify([status, health.worker.heartbeatAt]);
    if (key !== lastStatus?.key) {
      lastStatus = { key, heartbeatAt: health.worker.heartbeatAt, status };
      const message = statusMessage();
      if (message) broadcast(message);
    }
  };

  const schedule = (run: number, delayMs: number) => {
    timer = setTimeout(() => {
      timer = null;
      let failed = false;
      const poll: Promise<void> = pollOnce(run)
        .catch((error: unknown) => {
          failed = true;
          log.warn({ err: (error as Error).message }, "live poll failed");
        })
        .finally(() => {
          // A poll of a stopped run may finish after a new run started: it must not clear the new one's.
          if (inFlight === poll) inFlight = null;
          if (run === generation && listeners.size > 0) schedule(run, failed ? POLL_RETRY_MS : intervalMs);
        });
      inFlight = poll;
    }, delayMs);
  };

  const stop = () => {
    generation += 1;
    if (timer) clearTimeout(timer);
    timer = null;
    tracker = null;
    lastChange = null;
    lastStatus = null;
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        stop();
        schedule(generation, 0);
        log.info({ intervalMs }, "live poller started");
      } else {
        // Late joiners start from the current position; the first poll informs the early ones.
        if (lastChange) listener({ event: "change", data: { ...lastChange, devices: [], truncated: false } });
        const status = statusMessage();
        if (status) listener(status);
      }
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0) {
          stop();
          log.info("live poller stopped: no subscribers left");
        }
      };
    },
    isPolling: () => timer !== null || inFlight !== null,
    subscriberCount: () => listeners.size,
  };
}

const globalForLive = globalThis as unknown as { linkscopeLiveHub?: LiveHub };

/** The web server's one hub (survives Next's module reloads in dev). */
export function getLiveHub(db: Db): LiveHub {
  globalForLive.linkscopeLiveHub ??= createLiveHub(db);
  return globalForLive.linkscopeLiveHub;
}
