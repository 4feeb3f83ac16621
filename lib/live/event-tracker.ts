import type { EventCountAfter } from "./count-events-after.ts";
import type { EventStamp } from "./list-events-after.ts";
import { MAX_CHANGED_DEVICES, type LiveChange } from "./live-messages.ts";

/**
 * Ids are taken from a sequence at insert but become visible at commit, so with several writers (ingest
 * workers, webhooks, imports) a lower id can appear after a higher one was seen. The tracker therefore keeps
 * the ids it has seen in a trailing window below the highest id and counts that window on every poll.
 */
export const LATE_COMMIT_WINDOW_IDS = 4096n;
/** Rows read per poll at most; more than this in 250 ms is a bulk import, reported as `truncated`. */
const MAX_ROWS_PER_POLL = 5000;

export type EventReads = {
  latestId(): Promise<bigint | null>;
  countAfter(afterId: bigint): Promise<EventCountAfter>;
  listAfter(afterId: bigint, limit: number): Promise<EventStamp[]>;
};

export type EventTracker = {
  /** The first call returns the current position with no devices; later calls what is new since the last. */
  poll(): Promise<LiveChange | null>;
};

export function createEventTracker(reads: EventReads): EventTracker {
  let floor: bigint | null = null;
  let maxId: bigint | null = null;
  let latestReceivedAt: Date | null = null;
  const seen = new Set<bigint>();

  const remember = (rows: EventStamp[]) => {
    for (const row of rows) {
      seen.add(row.id);
      if (maxId === null || row.id > maxId) maxId = row.id;
      if (latestReceivedAt === null || row.receivedAt > latestReceivedAt) latestReceivedAt = row.receivedAt;
    }
  };
  const slideWindow = () => {
    if (maxId === null) return;
    const next = maxId - LATE_COMMIT_WINDOW_IDS;
    if (floor !== null && next <= floor) return;
    floor = next;
    for (const id of seen) if (id <= next) seen.delete(id);
  };
  const change = (devices: Set<string>, truncated: boolean): LiveChange => ({
    latestEventId: maxId === null ? null : maxId.toString(),
    latestReceivedAt: latestReceivedAt?.toISOString() ?? null,
    devices: [...devices].slice(0, MAX_CHANGED_DEVICES),
    truncated: truncated || devices.size > MAX_CHANGED_DEVICES,
  });
  // (Re)reads the whole window: at start, after a bulk import and after deletions.
  const resync = async (newest: bigint | null) => {
    seen.clear();
    floor = newest === null ? 0n : newest - LATE_COMMIT_WINDOW_IDS;
    if (floor < 0n) floor = 0n;
    maxId = newest;
    if (newest === null) return;
    remember(await reads.listAfter(floor, Number(LATE_COMMIT_WINDOW_IDS) + MAX_ROWS_PER_POLL));
  };

  return {
    async poll() {
      if (floor === null) {
        await resync(await reads.latestId());
        return change(new Set(), false);
      }
      const window = await reads.countAfter(floor);
      if (window.count === seen.size) return null;
      if (window.count < seen.size) {
        // Rows inside the window were deleted (device removal, retention): start over without alarming anyone.
        await resync(await reads.latestId());
        return null;
      }
      const fresh = await reads.listAfter(maxId ?? floor, MAX_ROWS_PER_POLL);
      let added = fresh;
      if (seen.size + fresh.length !== window.count) {
        if (fresh.length >= MAX_ROWS_PER_POLL) {
          const devices = new Set(fresh.map((row) => row.deviceId));
          await resync(window.maxId);
          return change(devices, true);
        }
        // A late commit below the highest id seen: read the window and keep what is new.
        added = (await reads.listAfter(floor, Number(LATE_COMMIT_WINDOW_IDS) + MAX_ROWS_PER_POLL)).filter((row) => !seen.has(row.id));
      }
      if (added.length === 0) return null;
      remember(added);
      slideWindow();
      return change(new Set(added.map((row) => row.deviceId)), false);
    },
  };
}
