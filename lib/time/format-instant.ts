export type TimeLike = Date | string | number;

export const UTC_ZONE = "UTC";

type ZonedParts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** An IANA zone the runtime knows, or UTC: a stale or hand-edited preference must never break a page. */
export function normalizeTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return UTC_ZONE;
  try {
    formatterFor(timeZone);
    return timeZone;
  } catch {
    return UTC_ZONE;
  }
}

function zonedParts(date: Date, timeZone: string): ZonedParts {
  if (timeZone === UTC_ZONE) {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Minutes east of UTC at that instant (daylight saving included). */
function offsetMinutes(date: Date, parts: ZonedParts): number {
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((asUtc - (date.getTime() - date.getUTCMilliseconds())) / 60_000);
}

/** `UTC`, `UTC+1`, `UTC+5:30`, `UTC-3`: computed, not ICU's zone names, so Node and every browser print the same. */
export function formatZoneOffset(minutes: number): string {
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "-";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `UTC${sign}${hours}${rest ? `:${pad(rest)}` : ""}`;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function toDate(value: TimeLike): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `2026-11-22 11:04:05 UTC+1` in the given zone: the one timestamp format of every page. */
export function formatInstant(
  value: TimeLike,
  { timeZone = UTC_ZONE, milliseconds = false }: { timeZone?: string; milliseconds?: boolean } = {},
): string {
  const date = toDate(value);
  if (!date) return "—";
  const zone = normalizeTimeZone(timeZone);
  const parts = zonedParts(date, zone);
  const base = `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}`;
  return `${base}${milliseconds ? `.${pad(date.getUTCMilliseconds(), 3)}` : ""} ${formatZoneOffset(offsetMinutes(date, parts))}`;
}

/** `11:04`, for axes and compact labels (the zone is said once, next to them). */
export function formatClock(value: TimeLike, timeZone: string = UTC_ZONE): string {
  const date = toDate(value);
  if (!date) return "—";
  const parts = zonedParts(date, normalizeTimeZone(timeZone));
  return `${pad(parts.hour)}:${pad(parts.minute)}`;
}

/** `2026-11-22`, the calendar day in the given zone. */
export function formatDay(value: TimeLike, timeZone: string = UTC_ZONE): string {
  const date = toDate(value);
  if (!date) return "—";
  const parts = zonedParts(date, normalizeTimeZone(timeZone));
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** The zone's label right now, for column headings: `UTC`, `UTC+1`. */
export function describeTimeZone(timeZone: string, at: TimeLike = Date.now()): string {
  const date = toDate(at) ?? new Date();
  const zone = normalizeTimeZone(timeZone);
  return formatZoneOffset(offsetMinutes(date, zonedParts(date, zone)));
}

const UTC_TIMESTAMP = /\b(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?(?: UTC|Z)(?![\w+])/g;

/**
 * Rewrites the UTC timestamps inside a sentence (`… since 2026-11-22 10:04:05 UTC …`, or an ISO `…T10:04:05.000Z`)
 * in the viewer's zone: diagnosis verdicts and notices are built once, in UTC, by pure code.
 */
export function localizeTimestamps(text: string, timeZone: string): string {
  return text.replace(UTC_TIMESTAMP, (_match, day: string, time: string, fraction: string | undefined) =>
    formatInstant(`${day}T${time}${fraction ?? ""}Z`, { timeZone, milliseconds: fraction !== undefined && fraction !== ".000" }),
  );
}
