import type { Db } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";

export type AlertEvaluationJobOptions = { intervalMs: number; publicBaseUrl: string };

/** Evaluates the alert rules every `intervalMs` in the ingest worker process, one run at a time. */
export function startAlertEvaluationJob(db: Db, log: Logger, options: AlertEvaluationJobOptions): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    const startedAt = Date.now();
    running = evaluateAlertRules(db, { now: new Date(), publicBaseUrl: options.publicBaseUrl, log })
      .then((run) => {
        if (run.fired + run.resolved > 0) log.info({ ...run, ms: Date.now() - startedAt }, "alert evaluation");
      })
      .catch((error: unknown) => log.error({ err: error }, "alert evaluation failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
