import { SAME_MOMENT_MS } from "./device-reports.ts";
import { firstAtOrAfter, median } from "./statistics.ts";
import type { DiagnosisEvent } from "./types.ts";

/** The most a device's clock is taken to be off: ClearBlade tolerates 10 min of skew, tokens fail beyond it. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** Fewest device-side reports that must line up with broker events before their clock is called off. */
const MIN_SKEW_PAIRS = 3;

type Role = "connect" | "refusal";

/** Only moments both sides see at once: each side notices a drop after its own detection delay (up to 1.5 × keepalive). */
function roleOf(event: DiagnosisEvent): Role | null {
  if (event.kind === "connected") return "connect";
  return event.kind === "connect_failed" ? "refusal" : null;
}

function nearestOffset(sortedTimes: readonly number[], at: number): number | null {
  const low = firstAtOrAfter(sortedTimes, at);
  const candidates = [sortedTimes[low - 1], sortedTimes[low]].filter((time): time is number => time !== undefined);
  const offsets = candidates.map((time) => at - time).filter((offset) => Math.abs(offset) <= MAX_CLOCK_SKEW_MS);
  return offsets.sort((a, b) => Math.abs(a) - Math.abs(b))[0] ?? null;
}

/**
 * How far (ms) the device's reports run ahead of the broker's events of the same moments, or 0 when they agree or
 * cannot tell. Each connect or refusal report is set against the nearest broker event of the same kind; the offset counts only when
 * most reports agree on it, beyond what pairing tolerates anyway (SAME_MOMENT_MS). A device clock minutes off
 * otherwise turns every drop into two, and the reconnect before the device's copy into a short "uptime".
 */
export function estimateDeviceClockOffset(broker: readonly DiagnosisEvent[], device: readonly DiagnosisEvent[]): number {
  const times = new Map<Role, number[]>();
  for (const event of broker) {
    const role = roleOf(event);
    if (role) times.set(role, [...(times.get(role) ?? []), event.occurredAt.getTime()]);
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  const reports = device.filter((event) => roleOf(event) !== null);
  const offsets = reports
    .map((event) => nearestOffset(times.get(roleOf(event) as Role) ?? [], event.occurredAt.getTime()))
    .filter((offset): offset is number => offset !== null);
  if (offsets.length < MIN_SKEW_PAIRS) return 0;
  const offset = median(offsets);
  if (Math.abs(offset) <= SAME_MOMENT_MS / 2) return 0;
  const agreeing = offsets.filter((value) => Math.abs(value - offset) <= SAME_MOMENT_MS / 2).length;
  return agreeing * 2 > reports.length ? offset : 0;
}

/** The event on the broker's clock. */
export function shiftEvent(event: DiagnosisEvent, offsetMs: number): DiagnosisEvent {
  return offsetMs === 0 ? event : { ...event, occurredAt: new Date(event.occurredAt.getTime() - offsetMs) };
}
