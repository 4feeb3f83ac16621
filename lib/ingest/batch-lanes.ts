/** Batches one source's worker writes at once, unless configured (INGEST_LANES). */
export const DEFAULT_LANES = 2;

export type BatchLanesOptions<T> = {
  /** Batches written at once; items of one key always go to the same lane, so they are written in push order. */
  lanes: number;
  /** Items in one batch, at most. */
  maxBatch: number;
  /** How long the first item of a batch waits for company when the lane is idle (the latency cap). */
  lingerMs: number;
  /** Writes one batch; a rejection stops the lane (its items stay unwritten, for redelivery). */
  write: (batch: T[], lane: number) => Promise<void>;
  /** Called when a lane stops on a rejected write. */
  onLaneStopped?: (lane: number, error: unknown) => void;
};

export type BatchLanes<T> = {
  push(key: string, item: T): void;
  /** Items pushed and not yet written (queued or in a batch being written). */
  size(): number;
  /** Writes everything queued now, without lingering, and resolves when every lane is idle and empty. */
  drain(): Promise<void>;
};

type Lane<T> = { queue: T[]; writing: Promise<void> | null; writingCount: number; timer: NodeJS.Timeout | null; stopped: boolean };

/**
 * Several batches in flight, partitioned by key (the device): each lane writes its own batches one after another,
 * so one device's items are written in the order they were pushed, while other lanes' batches proceed.
 *
 * Batch size adapts to load: an idle lane waits at most `lingerMs` before writing what it has; a busy lane writes,
 * as soon as its previous batch is done, everything that queued meanwhile (up to `maxBatch`), so batches grow with
 * the arrival rate and shrink again when it is quiet.
 */
export function createBatchLanes<T>(options: BatchLanesOptions<T>): BatchLanes<T> {
  const lanes: Lane<T>[] = Array.from({ length: Math.max(1, options.lanes) }, () => ({
    queue: [],
    writing: null,
    writingCount: 0,
    timer: null,
    stopped: false,
  }));
  let draining = false;

  function start(index: number): void {
    const lane = lanes[index]!;
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
    }
    if (lane.writing || lane.stopped || lane.queue.length === 0) return;
    const batch = lane.queue.splice(0, options.maxBatch);
    lane.writingCount = batch.length;
    lane.writing = options.write(batch, index).then(
      () => {
        lane.writing = null;
        lane.writingCount = 0;
        // What queued during the write has waited long enough: write it now, as one batch.
        if (lane.queue.length > 0) start(index);
      },
      (error: unknown) => {
        lane.writing = null;
        lane.writingCount = 0;
        lane.stopped = true;
        options.onLaneStopped?.(index, error);
      },
    );
  }

  function schedule(index: number): void {
    const lane = lanes[index]!;
    if (lane.writing || lane.stopped) return;
    if (draining || lane.queue.length >= options.maxBatch) return start(index);
    lane.timer ??= setTimeout(() => {
      lane.timer = null;
      start(index);
    }, options.lingerMs);
  }

  return {
    push(key, item) {
      const index = laneOf(key, lanes.length);
      lanes[index]!.queue.push(item);
      schedule(index);
    },
    size: () => lanes.reduce((sum, lane) => sum + lane.queue.length + lane.writingCount, 0),
    async drain() {
      draining = true;
      try {
        for (;;) {
          lanes.forEach((_, index) => start(index));
          const busy = lanes.filter((lane) => lane.writing).map((lane) => lane.writing);
          if (busy.length === 0) return;
          await Promise.all(busy);
        }
      } finally {
        draining = false;
      }
    },
  };
}

/** FNV-1a: cheap, stable across processes, and spreads similar device IDs (sensor-0001, sensor-0002) evenly. */
export function laneOf(key: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
