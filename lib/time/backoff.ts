export type BackoffPolicy = { baseMs: number; maxMs: number };

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so retries from
 * many workers spread out yet never collapse to zero delay. `attempt` starts at 0.
 */
export function computeBackoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
