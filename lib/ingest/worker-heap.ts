import v8 from "node:v8";

/** The worker's heap may grow to its live size plus this share before a full collection (WORKER_HEAP_GROWTH_PERCENT). */
export const DEFAULT_HEAP_GROWTH_PERCENT = 25;

/**
 * Tells V8 how far the old generation may grow past what the last full collection kept alive (decision 042).
 *
 * V8 lets it grow up to 4 × the live size on a machine with this much memory, and collects lazily under steady
 * allocation. The worker allocates for every message and keeps each until its batch commits, long enough to be
 * promoted, so during a long drain its heap grew from ~60 MB live to ~300 MB (peak RSS 450–530 MB) before a full
 * collection. V8 reads this flag each time it sets the next limit, so setting it here, at startup, works whatever
 * started the process (npm start, worker:prod, a test); 0 leaves V8's own factor.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
