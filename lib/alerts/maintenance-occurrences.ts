/** What decides when a maintenance window is open (no server imports: the silences panel shows upcoming windows). */
export type MaintenanceSchedule = { recurrence: "once" | "daily" | "weekly"; startsAt: Date; durationMs: number; until: Date | null };
export type TimeInterval = { from: Date; to: Date };

const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/**
 * The occurrences of a window that overlap [from, to), oldest first. Recurring windows repeat every 24 h / 7 days
 * (UTC, so "02:00" stays 02:00 UTC) from `startsAt`; an occurrence starting after `until` does not happen.
 */
export function listMaintenanceOccurrences(schedule: MaintenanceSchedule, from: Date, to: Date, limit = 1_000): TimeInterval[] {
  const first = schedule.startsAt.getTime();
  const occurrence = (start: number): TimeInterval => ({ from: new Date(start), to: new Date(start + schedule.durationMs) });
  if (schedule.recurrence === "once") {
    return first < to.getTime() && first + schedule.durationMs > from.getTime() ? [occurrence(first)] : [];
  }
  const period = PERIOD_MS[schedule.recurrence];
  const last = Math.min(to.getTime() - 1, schedule.until?.getTime() ?? Number.POSITIVE_INFINITY);
  // The first occurrence that could still be open at `from`.
  let k = Math.max(0, Math.ceil((from.getTime() - schedule.durationMs - first + 1) / period));
  const intervals: TimeInterval[] = [];
  for (let start = first + k * period; start <= last && intervals.length < limit; start = first + ++k * period) {
    if (start + schedule.durationMs > from.getTime()) intervals.push(occurrence(start));
  }
  return intervals;
}

/** The occurrence open at `at`, if any. */
export function findOpenOccurrence(schedule: MaintenanceSchedule, at: Date): TimeInterval | null {
  return listMaintenanceOccurrences(schedule, at, new Date(at.getTime() + 1), 1)[0] ?? null;
}

/** The next occurrence that has not ended at `at` (the open one, else the next to start). */
export function findNextOccurrence(schedule: MaintenanceSchedule, at: Date): TimeInterval | null {
  const horizon =
    schedule.recurrence === "once"
      ? schedule.startsAt.getTime() + schedule.durationMs + 1
      : at.getTime() + PERIOD_MS[schedule.recurrence] + schedule.durationMs;
  return listMaintenanceOccurrences(schedule, at, new Date(Math.max(horizon, at.getTime() + 1)), 1)[0] ?? null;
}
