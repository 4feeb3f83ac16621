import { SAME_MOMENT_MS } from "./device-reports.ts";
import { firstAtOrAfter, median } from "./statistics.ts";
import type { DiagnosisEvent } from "./types.ts";

/** The most a device's clock is taken to be off: ClearBlade tolerates 10 min of skew, tokens fail beyond it. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/**
 * How far apart the clocks may be when the device stamps its reports with another clock altogether: local time
 * written as UTC (zones run from UTC−12 to UTC+14), or an RTC never set since boot.
 */
export const MAX_FOREIGN_CLOCK_MS = 26 * 3_600_000;
/** Fewest device-side reports that must line up with broker events before their clock is called off. */
const MIN_SKEW_PAIRS = 3;
/** Reports sampled to propose offsets beyond MAX_CLOCK_SKEW_MS (each then checked against every report). */
const FOREIGN_CLOCK_SAMPLE = 64;
const FOREIGN_CLOCK_CANDIDATES = 5;

type Role = "connect" | "refusal" | "drop";

/** Only moments both sides see at once: each side notices a drop after its own detection delay (up to 1.5 × keepalive). */
function roleOf(event: DiagnosisEvent): Role | null {
  if (event.kind === "connected") return "connect";
  return event.kind === "connect_failed" ? "refusal" : null;
}

/** Drops as well, for a device whose reports name no connect or refusal: minutes of detection delay are small beside hours. */
function roleWithDrops(event: DiagnosisEvent): Role | null {
  return roleOf(event) ?? (event.kind === "disconnected" && event.reason !== "client_disconnect" ? "drop" : null);
}

function nearestOffset(sortedTimes: readonly number[], at: number, withinMs: number): number | null {
  const low = firstAtOrAfter(sortedTimes, at);
  const candidates = [sortedTimes[low - 1], sortedTimes[low]].filter((time): time is number => time !== undefined);
  const offsets = candidates.map((time) => at - time).filter((offset) => Math.abs(offset) <= withinMs);
  return offsets.sort((a, b) => Math.abs(a) - Math.abs(b))[0] ?? null;
}

type Sides = { times: Map<Role, number[]>; reports: { role: Role; at: number }[] };

function sidesOf(
  broker: readonly DiagnosisEvent[],
  device: readonly DiagnosisEvent[],
  role: (event: DiagnosisEvent) => Role | null,
): Sides {
  const times = new Map<Role, number[]>();
  for (const event of broker) {
    const key = role(event);
    if (!key) continue;
    const list = times.get(key);
    if (list) list.push(event.occurredAt.getTime());
    else times.set(key, [event.occurredAt.getTime()]);
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  const reports = device.flatMap((event) => {
    const key = role(event);
    return key ? [{ role: key, at: event.occurredAt.getTime() }] : [];
  });
  return { times, reports };
}

/** The offset most reports agree on, if a majority of at least MIN_SKEW_PAIRS does; offsets within `guess` ± tolerance. */
function agreedOffset({ times, reports }: Sides, guess: number, toleranceMs: number): number | null {
  const offsets = reports
    .map((report) => nearestOffset(times.get(report.role) ?? [], report.at - guess, toleranceMs))
    .filter((offset): offset is number => offset !== null)
    .map((offset) => offset + guess);
  if (offsets.length < MIN_SKEW_PAIRS) return null;
  const offset = median(offsets);
  const agreeing = offsets.filter((value) => Math.abs(value - offset) <= SAME_MOMENT_MS / 2).length;
  return agreeing >= MIN_SKEW_PAIRS && agreeing * 2 > reports.length ? offset : null;
}

/**
 * Offsets from `minMs` to `maxMs` apart: every difference between a sampled report and a broker event of its role that
 * far apart votes for its bin; the bins most reports vote for are tried in turn, and the first `accept` keeps wins.
 */
function votedOffset(
  sides: Sides,
  range: { minMs: number; maxMs: number; binMs: number },
  accept: (guess: number) => number | null,
): number | null {
  const { times, reports } = sides;
  const votes = new Map<number, Set<number>>();
  const stride = Math.max(1, Math.floor(reports.length / FOREIGN_CLOCK_SAMPLE));
  for (let index = 0; index < reports.length; index += stride) {
    const report = reports[index];
    const list = report ? (times.get(report.role) ?? []) : [];
    if (!report) continue;
    for (let i = firstAtOrAfter(list, report.at - range.maxMs); i < list.length; i += 1) {
      const time = list[i] ?? Infinity;
      if (time > report.at + range.maxMs) break;
      const key = Math.round((report.at - time) / range.binMs);
      const voters = votes.get(key) ?? new Set<number>();
      voters.add(index);
      votes.set(key, voters);
    }
  }
  const candidates = [...votes.entries()]
    .filter(([key]) => Math.abs(key * range.binMs) > range.minMs)
    .sort(([keyA, a], [keyB, b]) => b.size - a.size || Math.abs(keyA) - Math.abs(keyB))
    .slice(0, FOREIGN_CLOCK_CANDIDATES);
  for (const [key] of candidates) {
    const offset = accept(key * range.binMs);
    if (offset !== null) return offset;
  }
  return null;
}

/** Offsets beyond MAX_CLOCK_SKEW_MS, in 30 s bins, each checked against all the reports. */
const foreignClockOffset = (sides: Sides) =>
  votedOffset(sides, { minMs: MAX_CLOCK_SKEW_MS, maxMs: MAX_FOREIGN_CLOCK_MS, binMs: SAME_MOMENT_MS / 2 }, (guess) =>
    agreedOffset(sides, guess, SAME_MOMENT_MS),
  );

/**
 * The two sides stamp one moment within a few seconds of each other (a round trip); pairing tolerates a minute. Reports
 * that recur faster than that (refusals at a 60 s backoff cap) pair with a neighbour's record at any offset within it.
 */
const CLOSE_MS = 5_000;

/** The offset, if a majority of the reports (at least MIN_SKEW_PAIRS) have a broker event of their role within CLOSE_MS of it. */
function closeMajority(sides: Sides, guess: number): number | null {
  const close = sides.reports.filter(
    (report) => nearestOffset(sides.times.get(report.role) ?? [], report.at - guess, CLOSE_MS) !== null,
  ).length;
  return close >= MIN_SKEW_PAIRS && close * 2 > sides.reports.length ? guess : null;
}

/**
 * A near offset that lines the reports up only loosely (each report with whichever record of a fast series is nearest)
 * is tested against the offsets most reports vote for in 1 s bins, each kept only when a majority lines up closely.
 */
function closeNearOffset(sides: Sides, loose: number): number {
  if (closeMajority(sides, loose) !== null) return loose;
  return votedOffset(sides, { minMs: -1, maxMs: MAX_CLOCK_SKEW_MS, binMs: 1_000 }, (guess) => closeMajority(sides, guess)) ?? loose;
}

/** The offset a majority of the reports agree on, or null when none does (see estimateDeviceClockOffset). */
function majorityOffset(broker: readonly DiagnosisEvent[], device: readonly DiagnosisEvent[]): number | null {
  if (device.length < MIN_SKEW_PAIRS) return null;
  const sides = sidesOf(broker, device, roleOf);
  const loose = agreedOffset(sides, 0, MAX_CLOCK_SKEW_MS);
  const near = loose === null ? null : closeNearOffset(sides, loose);
  if (near !== null) return Math.abs(near) <= SAME_MOMENT_MS / 2 ? 0 : near;
  const foreign = sides.reports.length >= MIN_SKEW_PAIRS ? sides : sidesOf(broker, device, roleWithDrops);
  if (foreign.reports.length < MIN_SKEW_PAIRS) return null;
  // Reports that already line up with the broker's events (their clock is right; they are few or noisy) stay put.
  if (agreedOffset(foreign, 0, SAME_MOMENT_MS) !== null) return 0;
  return foreignClockOffset(foreign);
}

/**
 * How far (ms) the device's reports run ahead of the broker's events of the same moments, or 0 when they agree or
 * cannot tell. Each connect or refusal report is set against the nearest broker event of the same kind; the offset counts only when
 * most reports agree on it, beyond what pairing tolerates anyway (SAME_MOMENT_MS). A device clock minutes off
 * otherwise turns every drop into two, and the reconnect before the device's copy into a short "uptime". When no
 * offset within MAX_CLOCK_SKEW_MS (0 included) has a majority, offsets up to MAX_FOREIGN_CLOCK_MS are tried: a device
 * stamping local time as UTC is hours off, and its drops were counted twice.
 */
export function estimateDeviceClockOffset(broker: readonly DiagnosisEvent[], device: readonly DiagnosisEvent[]): number {
  return majorityOffset(broker, device) ?? 0;
}

/** From device time `from` on (inclusive), the device's clock runs `offsetMs` ahead of the broker's. */
export type ClockSegment = { from: number; offsetMs: number };

/** Share of the reports one offset must line up before a change of the device's clock is looked for. */
const ONE_CLOCK_SHARE = 0.9;

/** For each report in time order, whether a broker event of its role lies within half a moment of it at this offset. */
function alignedAt(sides: Sides, offsetMs: number): boolean[] {
  return sides.reports.map(
    (report) => nearestOffset(sides.times.get(report.role) ?? [], report.at - offsetMs, SAME_MOMENT_MS / 2) !== null,
  );
}

const countTrue = (flags: readonly boolean[]) => flags.filter(Boolean).length;

/**
 * The device's clock as one offset, or two when it changed once part-way: a daylight-saving change of a device that
 * stamps local time, an NTP sync after a boot on an unset RTC, a time zone set in the field. One offset then lines up
 * only the reports on its side of the change, and the others read as extra drops at the wrong hour. The change is
 * taken only when each side has its own majority offset (of the whole, a head or a tail of the reports) and the two
 * together line up at least MIN_SKEW_PAIRS more reports than the better one alone.
 */
export function estimateDeviceClockSegments(broker: readonly DiagnosisEvent[], device: readonly DiagnosisEvent[]): ClockSegment[] {
  const sorted = [...device].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const whole = majorityOffset(broker, sorted);
  // Drops place the change too: the drop and system event just before a change's first connect report are on its far side.
  const sides = sidesOf(broker, sorted, roleWithDrops);
  const n = sides.reports.length;
  const single: ClockSegment[] = [{ from: -Infinity, offsetMs: whole ?? 0 }];
  if (n < 2 * MIN_SKEW_PAIRS) return single;
  const wholeAligned = countTrue(alignedAt(sides, whole ?? 0));
  if (wholeAligned >= ONE_CLOCK_SHARE * n) return single;

  const withRole = sorted.filter((event) => roleWithDrops(event) !== null);
  const candidates = new Set<number>(whole === null ? [] : [whole]);
  for (const share of [1 / 8, 1 / 4, 1 / 2]) {
    const size = Math.round(n * share);
    if (size < MIN_SKEW_PAIRS) continue;
    for (const part of [withRole.slice(0, size), withRole.slice(n - size)]) {
      const offset = majorityOffset(broker, part);
      if (offset !== null) candidates.add(offset);
    }
  }
  const flags = new Map([...candidates].map((offset) => [offset, alignedAt(sides, offset)]));
  const oneOffset = Math.max(wholeAligned, ...[...flags.values()].map(countTrue));
  let best = { aligned: 0, before: 0, after: 0, at: -1 };
  for (const [before, beforeFlags] of flags)
    for (const [after, afterFlags] of flags) {
      if (Math.abs(before - after) <= SAME_MOMENT_MS / 2) continue;
      // Aligned before the change under one offset, from it on under the other, for every place the change could be.
      let head = 0;
      let tail = countTrue(afterFlags);
      for (let split = 1; split < n; split += 1) {
        head += beforeFlags[split - 1] ? 1 : 0;
        tail -= afterFlags[split - 1] ? 1 : 0;
        if (head >= MIN_SKEW_PAIRS && tail >= MIN_SKEW_PAIRS && head + tail > best.aligned)
          best = { aligned: head + tail, before, after, at: split };
      }
    }
  const changeAt = sides.reports[best.at]?.at;
  if (best.aligned < oneOffset + MIN_SKEW_PAIRS || changeAt === undefined) return single;
  return [
    { from: -Infinity, offsetMs: best.before },
    { from: changeAt, offsetMs: best.after },
  ];
}

/** The offset of the segment a device time falls in. */
export function offsetAt(segments: readonly ClockSegment[], deviceTime: number): number {
  let offset = 0;
  for (const segment of segments) if (deviceTime >= segment.from) offset = segment.offsetMs;
  return offset;
}

/** The event on the broker's clock. */
export function shiftEvent(event: DiagnosisEvent, offsetMs: number): DiagnosisEvent {
  return offsetMs === 0 ? event : { ...event, occurredAt: new Date(event.occurredAt.getTime() - offsetMs) };
}
