import type { Reason } from "@/lib/events/connection-event.ts";
import { mergeFeedRecords, type FeedRecord } from "@/lib/events/merge-feed-records.ts";

type TimeLike = Date | string;

export type SessionLike = { startedAt: TimeLike; endedAt: TimeLike | null; endReason: Reason | null };

export type SessionStats = {
  /** Sessions that started inside the range. */
  connections: number;
  /** Sessions that ended inside the range, for any reason. */
  disconnects: number;
  /** Sessions that ended inside the range for a reason other than the client asking to disconnect. */
  drops: number;
  failedConnects: number;
  /** Durations of sessions that ended inside the range (whole sessions, even if they began earlier). */
  minSessionMs: number | null;
  avgSessionMs: number | null;
  maxSessionMs: number | null;
  /** How long the current (open) session has lasted; null when the device is not connected. */
  currentUptimeMs: number | null;
  /**
   * How long the device has been disconnected since its last session ended; null when connected, or when the range
   * ends before now (a session after the range may have begun since).
   */
  currentDowntimeMs: number | null;
  /** No session in a range that reaches now: the device has been offline at least the whole range, maybe longer. */
  currentDowntimeAtLeast: boolean;
  /** Gaps between a session ending inside the range and the device's next session starting. */
  reconnects: number;
  avgReconnectMs: number | null;
  maxReconnectMs: number | null;
  /** Share of the range (up to now) covered by at least one session, 0..1. */
  connectedRatio: number | null;
};

const toMs = (value: TimeLike): number => (typeof value === "string" ? Date.parse(value) : value.getTime());

function summarize(values: number[]): { min: number | null; avg: number | null; max: number | null } {
  if (values.length === 0) return { min: null, avg: null, max: null };
  let [total, min, max] = [0, Infinity, -Infinity];
  // A loop, not Math.min(...values): spreading a long list overflows the stack.
  for (const value of values) [total, min, max] = [total + value, Math.min(min, value), Math.max(max, value)];
  return { min, avg: Math.round(total / values.length), max };
}

/**
 * Pure: connection statistics for one device over [from, to) from its sessions (as stored by the
 * writer, which already pairs connects with disconnects). `failedConnects` comes from events because a
 * refused connect never opens a session.
 */
export function computeSessionStats(
  sessions: ReadonlyArray<SessionLike>,
  options: { from: Date; to: Date; now: Date; failedConnects: number },
): SessionStats {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const now = options.now.getTime();
  const ordered = sessions
    .map((session) => ({
      start: toMs(session.startedAt),
      end: session.endedAt === null ? null : toMs(session.endedAt),
      endReason: session.endReason,
    }))
    .sort((a, b) => a.start - b.start);

  const inRange = (time: number) => time >= from && time < to;
  const ended = ordered.filter((session): session is typeof session & { end: number } => session.end !== null && inRange(session.end));
  const durations = summarize(ended.map((session) => Math.max(0, session.end - session.start)));

  const gaps: number[] = [];
  // `ended` keeps the start order of `ordered`, so the next session only moves forward (a range has thousands).
  let next = 0;
  for (const session of ended) {
    while (next < ordered.length && (ordered[next] as (typeof ordered)[number]).start <= session.start) next += 1;
    const following = ordered[next];
    // A takeover opens the next session before the old one is closed: that is an immediate reconnect.
    if (following) gaps.push(Math.max(0, following.start - session.end));
  }
  const reconnect = summarize(gaps);

  const latest = ordered.at(-1);
  const openSession = latest && latest.end === null ? latest : undefined;
  const lastEnd = ordered.reduce<number | null>(
    (max, session) => (session.end !== null && (max === null || session.end > max) ? session.end : max),
    null,
  );

  return {
    connections: ordered.filter((session) => inRange(session.start)).length,
    disconnects: ended.length,
    drops: ended.filter((session) => session.endReason !== "client_disconnect").length,
    failedConnects: options.failedConnects,
    minSessionMs: durations.min,
    avgSessionMs: durations.avg,
    maxSessionMs: durations.max,
    currentUptimeMs: openSession ? Math.max(0, now - openSession.start) : null,
    ...currentDowntime(openSession !== undefined, lastEnd, { from, to, now }),
    reconnects: gaps.length,
    avgReconnectMs: reconnect.avg,
    maxReconnectMs: reconnect.max,
    connectedRatio: computeCoverage(ordered, from, Math.min(to, now)),
  };
}

function currentDowntime(
  connected: boolean,
  lastEnd: number | null,
  range: { from: number; to: number; now: number },
): Pick<SessionStats, "currentDowntimeMs" | "currentDowntimeAtLeast"> {
  if (connected || range.to < range.now) return { currentDowntimeMs: null, currentDowntimeAtLeast: false };
  if (lastEnd !== null) return { currentDowntimeMs: Math.max(0, range.now - lastEnd), currentDowntimeAtLeast: false };
  return { currentDowntimeMs: Math.max(0, range.now - range.from), currentDowntimeAtLeast: true };
}

function computeCoverage(ordered: ReadonlyArray<{ start: number; end: number | null }>, from: number, until: number): number | null {
  if (until <= from) return null;
  let covered = 0;
  let cursor = from;
  for (const session of ordered) {
    const start = Math.max(session.start, cursor);
    const end = Math.min(session.end ?? until, until);
    if (end > start) {
      covered += end - start;
      cursor = end;
    }
  }
  return covered / (until - from);
}

/** How long after a drop a second disconnect of the same connection (Azure's 404104 after a 401003) may come. */
export const SAME_DROP_MS = 60_000;

/**
 * Pure: drops and failed connects as the diagnosis counts them (lib/diagnosis/analysis-context.ts). A moment two feeds
 * of the source logged is one (lib/events/merge-feed-records.ts). A disconnect within SAME_DROP_MS of a previous drop,
 * with no connect between, ends the same connection; a 401003 refusal followed within SAME_DROP_MS by its 404104 is
 * the token renewal's drop, not a failed connect. So one SAS renewal counts once, whichever way the hub logged its 401003.
 */
export function countDropsAndFailures(events: ReadonlyArray<FeedRecord>): { drops: number; failedConnects: number } {
  return countMergedDropsAndFailures(mergeFeedRecords(events));
}

/** countDropsAndFailures of records already merged (mergeFeedRecords). */
function countMergedDropsAndFailures(merged: ReadonlyArray<FeedRecord>): { drops: number; failedConnects: number } {
  const ordered = merged
    .filter((event) => event.kind !== "device_report")
    .map((event) => ({
      ...event,
      at: toMs(event.occurredAt),
    }));
  ordered.sort((a, b) => a.at - b.at);
  let drops = 0;
  let failedConnects = 0;
  let previousDropAt: number | null = null;
  ordered.forEach((event, index) => {
    if (event.kind === "connected") previousDropAt = null;
    if (event.kind === "connect_failed") {
      if (!(event.code === "azure:401003" && closedWithinSameDrop(ordered, index))) failedConnects += 1;
    }
    if (event.kind !== "disconnected") return;
    if (event.reason === "client_disconnect") {
      previousDropAt = null;
      return;
    }
    if (previousDropAt !== null && event.at - previousDropAt <= SAME_DROP_MS) return;
    drops += 1;
    previousDropAt = event.at;
  });
  return { drops, failedConnects };
}

/**
 * Of the drops that came within SAME_DROP_MS of an earlier drop with no connect between, those that count: each is
 * one when it comes over SAME_DROP_MS after the last counted drop of its chain, which begins with a counted drop (`head`
 * names it, `headAt` is its time). `chained` is in time order; the walk countDropsAndFailures makes, for the drops a
 * set-based count cannot decide alone.
 */
export function countChainedDrops(chained: ReadonlyArray<{ head: number; headAt: number; at: number }>): number {
  let counted = 0;
  let head: number | null = null;
  let lastCounted = 0;
  for (const drop of chained) {
    if (drop.head !== head) [head, lastCounted] = [drop.head, drop.headAt];
    if (drop.at - lastCounted <= SAME_DROP_MS) continue;
    counted += 1;
    lastCounted = drop.at;
  }
  return counted;
}

/** A 404104 disconnect within SAME_DROP_MS after the refusal at `index`: looks only that far ahead (a storm has thousands). */
function closedWithinSameDrop(ordered: ReadonlyArray<{ at: number; code: string | null }>, index: number): boolean {
  const refusedAt = (ordered[index] as { at: number }).at;
  for (let next = index + 1; next < ordered.length; next += 1) {
    const candidate = ordered[next] as { at: number; code: string | null };
    if (candidate.at - refusedAt > SAME_DROP_MS) return false;
    if (candidate.code === "azure:404104") return true;
  }
  return false;
}

/** Pure: a device's connects, disconnects, drops and failed connects, each moment two feeds logged counted once. */
export function countDeviceEvents(events: ReadonlyArray<FeedRecord>): {
  connects: number;
  disconnects: number;
  drops: number;
  failedConnects: number;
} {
  const merged = mergeFeedRecords(events);
  return {
    connects: merged.filter((event) => event.kind === "connected").length,
    disconnects: merged.filter((event) => event.kind === "disconnected").length,
    ...countMergedDropsAndFailures(merged),
  };
}
