import type { EventKind, Reason } from "@/lib/events/connection-event.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";
import { mergeFeedRecords } from "@/lib/events/merge-feed-records.ts";

type TimeLike = Date | string;

export type TimelineSessionInput = {
  id: string;
  startedAt: TimeLike;
  endedAt: TimeLike | null;
  endReason: Reason | null;
  endCode: string | null;
  endInferred: boolean;
  clientIp: string | null;
};

export type TimelineEventInput = {
  id: string;
  kind: EventKind;
  occurredAt: TimeLike;
  reason: Reason;
  code: string | null;
  message: string | null;
  source?: string | null;
  feed?: string | null;
};

/** A connected interval, positioned in percent of the visible range. */
export type TimelineBar = {
  id: string;
  startMs: number;
  /** null while the session is still open. */
  endMs: number | null;
  leftPct: number;
  widthPct: number;
  endReason: Reason | null;
  endCode: string | null;
  endInferred: boolean;
  clientIp: string | null;
};

export type TimelineMarker = {
  id: string;
  kind: EventKind;
  atMs: number;
  leftPct: number;
  reason: Reason;
  code: string | null;
  message: string | null;
};

export type TimelineTick = { atMs: number; leftPct: number; label: string };

export type DeviceTimeline = { bars: TimelineBar[]; markers: TimelineMarker[]; ticks: TimelineTick[] };

const HOUR = 60 * MINUTE_MS;
const DAY = 24 * HOUR;
const TICK_STEPS = [MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];
const MAX_TICKS = 8;

const toMs = (value: TimeLike): number => (typeof value === "string" ? Date.parse(value) : value.getTime());
const pad = (value: number) => String(value).padStart(2, "0");

/** UTC tick label: the time of day, or the date at midnight and for day-sized steps. */
export function formatTickLabel(atMs: number, stepMs: number): string {
  const date = new Date(atMs);
  const day = `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  if (stepMs >= DAY || (date.getUTCHours() === 0 && date.getUTCMinutes() === 0)) return day;
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

export function computeTicks(fromMs: number, toMs: number): TimelineTick[] {
  const span = toMs - fromMs;
  if (span <= 0) return [];
  const step = TICK_STEPS.find((candidate) => span / candidate <= MAX_TICKS) ?? TICK_STEPS[TICK_STEPS.length - 1] ?? DAY;
  const ticks: TimelineTick[] = [];
  for (let at = Math.ceil(fromMs / step) * step; at <= toMs; at += step) {
    ticks.push({ atMs: at, leftPct: ((at - fromMs) / span) * 100, label: formatTickLabel(at, step) });
  }
  return ticks;
}

/**
 * Pure: positions sessions (clipped to the range; open sessions run until now) and drop markers
 * (disconnects and refused connects, one per moment two feeds of the source logged) on a [from, to) axis in percent.
 */
export function shapeDeviceTimeline(
  sessions: ReadonlyArray<TimelineSessionInput>,
  events: ReadonlyArray<TimelineEventInput>,
  range: { from: Date; to: Date; now: Date },
): DeviceTimeline {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const span = to - from;
  if (span <= 0) return { bars: [], markers: [], ticks: [] };
  const percent = (time: number) => ((time - from) / span) * 100;
  const visibleEnd = Math.min(to, range.now.getTime());

  const bars: TimelineBar[] = [];
  for (const session of sessions) {
    const startMs = toMs(session.startedAt);
    const endMs = session.endedAt === null ? null : toMs(session.endedAt);
    const left = Math.max(startMs, from);
    const right = Math.min(endMs ?? visibleEnd, to);
    if (right < left || right < from || left > to) continue;
    bars.push({
      id: session.id,
      startMs,
      endMs,
      leftPct: percent(left),
      widthPct: percent(right) - percent(left),
      endReason: session.endReason,
      endCode: session.endCode,
      endInferred: session.endInferred,
      clientIp: session.clientIp,
    });
  }
  bars.sort((a, b) => a.startMs - b.startMs);

  const markers: TimelineMarker[] = mergeFeedRecords(
    events.filter((event) => event.kind === "disconnected" || event.kind === "connect_failed"),
  )
    .map((event) => ({ ...event, atMs: toMs(event.occurredAt) }))
    .filter((event) => event.atMs >= from && event.atMs < to)
    .sort((a, b) => a.atMs - b.atMs)
    .map((event) => ({
      id: event.id,
      kind: event.kind,
      atMs: event.atMs,
      leftPct: percent(event.atMs),
      reason: event.reason,
      code: event.code,
      message: event.message,
    }));

  return { bars, markers, ticks: computeTicks(from, to) };
}
