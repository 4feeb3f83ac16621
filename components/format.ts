import {
  describeTimeZone,
  formatClock,
  formatDay,
  formatInstant,
  localizeTimestamps,
  UTC_ZONE,
  type TimeLike,
} from "@/lib/time/format-instant.ts";

/**
 * The zone every time on the page is shown in. The server always renders UTC; in the browser the time zone
 * provider (components/time-zone.tsx) sets the viewer's choice after hydration and re-renders the page, so
 * server and browser text agree during hydration.
 */
let viewerTimeZone = UTC_ZONE;

export function setViewerTimeZone(timeZone: string): void {
  viewerTimeZone = timeZone;
}

export function getViewerTimeZone(): string {
  return viewerTimeZone;
}

/** `2026-11-22 11:04:05 UTC+1`, in the viewer's zone (UTC on the server and until hydration). */
export function formatTimestamp(value: TimeLike, options: { milliseconds?: boolean } = {}): string {
  return formatInstant(value, { ...options, timeZone: viewerTimeZone });
}

/** `11:04`, for compact axis and table labels; say the zone once nearby (`timeZoneLabel()`). */
export function formatHourMinute(value: TimeLike): string {
  return formatClock(value, viewerTimeZone);
}

/** `2026-11-22`, the viewer's calendar day. */
export function formatDate(value: TimeLike): string {
  return formatDay(value, viewerTimeZone);
}

/** `UTC` or `UTC+1`: for headings such as "Time (UTC+1)". */
export function timeZoneLabel(): string {
  return describeTimeZone(viewerTimeZone);
}

/** A sentence built in UTC (diagnosis verdicts, notices) with its timestamps in the viewer's zone. */
export function localizeSentence(text: string): string {
  return localizeTimestamps(text, viewerTimeZone);
}

/** `3 d 4 h`, `12 min 5 s`, `850 ms`: the two most significant units. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [label, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count} ${label}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.filter((part) => !part.startsWith("0 ")).join(" ") || "0 s";
}

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return "—";
  return `${(ratio * 100).toFixed(ratio >= 0.999 || ratio === 0 ? 0 : 1)} %`;
}

/** "1 event", "3 events". */
export function formatCountOf(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
