import { Prisma } from "@/lib/db/client.ts";
import { HOUR_MS } from "@/lib/time/durations.ts";

export type TimeRange = { from: Date; to: Date };

/**
 * Pure: the ranges [cuts[i], cuts[i + 1]) split into whole hours (readable from an hourly rollup) and the minutes
 * left at their edges. No hour crosses a cut, so a reader that tells ranges apart at the cuts (current vs previous
 * period) counts every hour on the right side.
 */
export function splitAtHours(cuts: readonly Date[]): { hours: TimeRange[]; minutes: TimeRange[] } {
  const hours: TimeRange[] = [];
  const minutes: TimeRange[] = [];
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const from = (cuts[i] as Date).getTime();
    const to = (cuts[i + 1] as Date).getTime();
    if (to <= from) continue;
    const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
    const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
    if (firstHour >= lastHour) {
      minutes.push({ from: new Date(from), to: new Date(to) });
      continue;
    }
    hours.push({ from: new Date(firstHour), to: new Date(lastHour) });
    if (from < firstHour) minutes.push({ from: new Date(from), to: new Date(firstHour) });
    if (lastHour < to) minutes.push({ from: new Date(lastHour), to: new Date(to) });
  }
  return { hours, minutes };
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
