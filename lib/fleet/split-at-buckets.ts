import { Prisma } from "@/lib/db/client.ts";
import { HOUR_MS } from "@/lib/time/durations.ts";

export type TimeRange = { from: Date; to: Date };

/** The bucket of event_rollup_quarter_day and fleet_reason_quarter_day: 6 hours from 00:00 UTC (decision 046). */
export const QUARTER_DAY_MS = 6 * HOUR_MS;

/** Ranges to read from each rollup: quarter days and whole hours from the coarse tables, minutes at the edges. */
export type RollupSplit = { quarterDays: TimeRange[]; hours: TimeRange[]; minutes: TimeRange[] };

/**
 * Pure: the ranges [cuts[i], cuts[i + 1]) split into whole quarter days (when `quarterDays`), the whole hours next to
 * them and the minutes left at their edges. No bucket crosses a cut, so a reader that tells ranges apart at the cuts
 * (current vs previous period) counts every bucket on the right side.
 */
export function splitAtBuckets(cuts: readonly Date[], options: { quarterDays: boolean }): RollupSplit {
  const split: RollupSplit = { quarterDays: [], hours: [], minutes: [] };
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const from = (cuts[i] as Date).getTime();
    const to = (cuts[i + 1] as Date).getTime();
    if (to <= from) continue;
    const middle = options.quarterDays ? wholeBuckets(from, to, QUARTER_DAY_MS) : undefined;
    if (!middle) {
      splitAtHours(from, to, split);
      continue;
    }
    split.quarterDays.push({ from: new Date(middle.first), to: new Date(middle.last) });
    splitAtHours(from, middle.first, split);
    splitAtHours(middle.last, to, split);
  }
  return split;
}

/** [first, last): the whole buckets of `width` inside [from, to), undefined for none. */
function wholeBuckets(from: number, to: number, width: number): { first: number; last: number } | undefined {
  const first = Math.ceil(from / width) * width;
  const last = Math.floor(to / width) * width;
  return first < last ? { first, last } : undefined;
}

function splitAtHours(from: number, to: number, split: RollupSplit): void {
  if (to <= from) return;
  const hours = wholeBuckets(from, to, HOUR_MS);
  if (!hours) {
    split.minutes.push({ from: new Date(from), to: new Date(to) });
    return;
  }
  split.hours.push({ from: new Date(hours.first), to: new Date(hours.last) });
  if (from < hours.first) split.minutes.push({ from: new Date(from), to: new Date(hours.first) });
  if (hours.last < to) split.minutes.push({ from: new Date(hours.last), to: new Date(to) });
}

/** `(bucket in one of the ranges)` as SQL; false for none. */
export function withinRanges(ranges: readonly TimeRange[], bucket: Prisma.Sql): Prisma.Sql {
  return ranges.length === 0
    ? Prisma.sql`false`
    : Prisma.join(
        ranges.map((r) => Prisma.sql`(${bucket} >= ${r.from} AND ${bucket} < ${r.to})`),
        " OR ",
      );
}
