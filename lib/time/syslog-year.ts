import { DAY_MS } from "./durations.ts";

/** How a file's year-less syslog times (`Dec  4 23:30:56`) get their year. */
export type SyslogYearOptions = {
  /** When the file was imported or the body received: no line is placed more than a day after it. */
  reference: Date;
  /** The year of the file's first year-less line, when the user states it (`--year`, `?year=`). */
  year?: number | null;
};

/** A year-less time as a syslog line prints it: month 0–11, local to the device (`utcOffsetMinutes` east of UTC). */
export type YearlessTime = { month: number; day: number; hour: number; minute: number; second: number; ms: number };

/** Flags the event carries: its year was inferred, or stated by the user rather than by the line. */
export const YEAR_INFERRED_FLAG = "year_inferred";
export const YEAR_GIVEN_FLAG = "year_given_at_import";

export type PlacedTime = { at: Date; flag: typeof YEAR_INFERRED_FLAG | typeof YEAR_GIVEN_FLAG };

export type SyslogYearReader = { place(time: YearlessTime, utcOffsetMinutes?: number): PlacedTime | null };

// A line more than half a year before the previous one crossed New Year (Dec → Jan); more than half a year after it is
// a late line from the year before (logs interleave by a few seconds around midnight).
const HALF_YEAR_MS = 183 * DAY_MS;

/**
 * Places the year-less times of one file, in order, as syslog tools do: the first line in the latest year that does not
 * put it more than a day after the reference (or in the year the user gave), every later line in the year that keeps
 * the file monotonic, so a file running from Dec 30 to Jan 2 spans two years. Null for a date no year has (Feb 30).
 */
export function createSyslogYearReader(options: SyslogYearOptions): SyslogYearReader {
  const given = options.year ?? null;
  const flag = given === null ? YEAR_INFERRED_FLAG : YEAR_GIVEN_FLAG;
  let year: number | null = null;
  let previous: number | null = null;

  return {
    place(time, utcOffsetMinutes = 0) {
      if (!isPlausible(time)) return null;
      const at = (candidate: number) => toInstant(time, candidate, utcOffsetMinutes);
      if (year === null) {
        year = given ?? latestYearNotAfter(time, utcOffsetMinutes, options.reference.getTime() + DAY_MS);
        if (year === null) return null;
      }
      let placed = at(year);
      if (placed === null) return null;
      if (previous !== null && placed < previous - HALF_YEAR_MS) {
        const next = at(year + 1);
        if (next === null) return null;
        year += 1;
        placed = next;
      } else if (previous !== null && placed > previous + HALF_YEAR_MS) {
        const before = at(year - 1);
        if (before === null) return null;
        return { at: new Date(before), flag };
      }
      previous = placed;
      return { at: new Date(placed), flag };
    },
  };
}

function latestYearNotAfter(time: YearlessTime, utcOffsetMinutes: number, latestMs: number): number | null {
  const referenceYear = new Date(latestMs).getUTCFullYear();
  // Feb 29 may be up to four years back; the year after the reference's covers Jan 1 in a zone ahead of UTC.
  for (let year = referenceYear + 1; year >= referenceYear - 4; year--) {
    const at = toInstant(time, year, utcOffsetMinutes);
    if (at !== null && at <= latestMs) return year;
  }
  return null;
}

/** Epoch ms of the time in `year`, or null when that year has no such date (Feb 29, Apr 31). */
function toInstant(time: YearlessTime, year: number, utcOffsetMinutes: number): number | null {
  const local = Date.UTC(year, time.month, time.day, time.hour, time.minute, Math.min(time.second, 59), time.ms);
  const date = new Date(local);
  if (date.getUTCMonth() !== time.month || date.getUTCDate() !== time.day) return null;
  return local - utcOffsetMinutes * 60_000;
}

function isPlausible(time: YearlessTime): boolean {
  return (
    time.month >= 0 &&
    time.month <= 11 &&
    time.day >= 1 &&
    time.day <= 31 &&
    time.hour <= 23 &&
    time.minute <= 59 &&
    time.second <= 60 &&
    time.ms >= 0 &&
    time.ms < 1000
  );
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** `Dec`, `dec` → 11; -1 for anything else. */
export function monthOfName(name: string): number {
  return MONTHS.indexOf(name.toLowerCase());
}
