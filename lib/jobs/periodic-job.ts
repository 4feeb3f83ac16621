import type { Logger } from "@/lib/log/logger.ts";

/**
 * Runs `run` now and then every `intervalMs` in the worker process, never two at once (a slow run skips ticks);
 * failures are logged and the next tick tries again. `stop()` waits for a run in progress.
 */
export function startPeriodicJob(log: Logger, name: string, intervalMs: number, run: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = run()
      .catch((error: unknown) => log.error({ err: error }, `${name} failed`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
