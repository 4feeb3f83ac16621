import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { DAY_MS } from "@/lib/time/durations.ts";

/**
 * How far after its receipt an event may be dated before its clock is certainly wrong: ten years. Not a day: test
 * fleets, replayed captures and fixtures carry dates a year or more ahead, and refusing those loses data; what this
 * stops is the impossible (2038 and 2106 overflows, year 9999, milliseconds read as seconds), which held a device's
 * state for ever (decision 072).
 */
export const MAX_EVENT_LEAD_MS = 3_653 * DAY_MS;

/**
 * The adapter's result, or a rejection when one of its events is dated more than ten years after it was received (a
 * file: after it was read). Device state follows the newest event, so one event from a wrong clock dated years ahead would
 * hold a device in its state through every real event after it.
 */
export function refuseEventsFromTheFuture(result: AdapterResult, receivedAtMs: number): AdapterResult {
  if (!result.ok) return result;
  const latest = receivedAtMs + MAX_EVENT_LEAD_MS;
  const ahead = result.events.find((event) => event.occurredAt.getTime() > latest);
  if (!ahead) return result;
  return {
    ok: false,
    error: `event time ${ahead.occurredAt.toISOString()} is more than ten years after it was received (${new Date(receivedAtMs).toISOString()}): the clock that wrote it is wrong`,
  };
}
