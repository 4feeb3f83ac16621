export type Timers = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type Coalescer = {
  /** Something happened: run now if the last run is at least `intervalMs` ago, else once when it is. */
  trigger(): void;
  cancel(): void;
};

/**
 * Leading and trailing throttle: the first trigger after a quiet period runs at once (a lone event shows up
 * without delay), a burst runs at most once per `intervalMs`, and the last trigger of a burst is never lost.
 */
export function createCoalescer(run: () => void, intervalMs: number, timers: Timers = systemTimers): Coalescer {
  let lastRunAt = Number.NEGATIVE_INFINITY;
  let pending: unknown = null;

  const fire = () => {
    pending = null;
    lastRunAt = timers.now();
    run();
  };

  return {
    trigger() {
      if (pending !== null) return;
      const wait = lastRunAt + intervalMs - timers.now();
      if (wait <= 0) fire();
      else pending = timers.setTimeout(fire, wait);
    },
    cancel() {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
  };
}

/** Reconnect backoff: 1 s doubling to 30 s, with ±20 % jitter so a restarted server is not hit all at once. */
export function computeReconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
