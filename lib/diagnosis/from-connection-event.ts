import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DiagnosisEvent } from "./types.ts";

/**
 * An adapter's normalized event as the diagnosis reads it, numbered from 1 in the order given: for histories built in
 * memory (the accuracy corpus, tests), where the stored row's ID does not exist yet.
 */
export function toDiagnosisEvents(events: readonly ConnectionEvent[]): DiagnosisEvent[] {
  return events.map((event, index) => ({
    id: String(index + 1),
    kind: event.kind,
    occurredAt: event.occurredAt,
    reason: event.reason,
    initiator: event.initiator,
    code: event.code,
    message: event.message,
    clientIp: event.clientIp,
    keepaliveSec: event.keepaliveSec,
    source: event.source,
    feed: event.feed,
  }));
}
