/** setTimeout overflows above 2^31-1 ms (~24.8 days) and fires at once; longer waits are re-armed in steps. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Runs `action` once the injected clock reaches `at` (epoch ms). Always asynchronous, even when `at` has passed,
 * so callers can finish their own bookkeeping first. Returns a cancel function.
 */
export function scheduleAt(at: number, now: () => number, action: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  const arm = (delay: number) => {
    timer = setTimeout(check, Math.min(Math.max(delay, 0), MAX_TIMER_DELAY_MS));
    timer.unref();
  };
  const check = () => {
    if (cancelled) return;
    const remaining = at - now();
    if (remaining > 0) {
      arm(remaining);
      return;
    }
    action();
  };
  arm(at - now());
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
