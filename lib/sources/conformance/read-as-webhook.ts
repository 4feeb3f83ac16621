import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { readRecords } from "@/lib/ingest/record-reader.ts";
import { createRecordProcessor } from "@/lib/ingest/record-processor.ts";
import { getRecordFormat } from "../record-formats.ts";

/** What the product stores of an event, as the conformance tables state it. */
export type StoredFacts = Pick<ConnectionEvent, "deviceId" | "kind" | "reason" | "initiator" | "code"> & {
  at: string;
  sessionKey: string | null;
  ordering: bigint | null;
  ip: string | null;
  port: number | null;
  flags: string[];
};

export function storedFacts(event: ConnectionEvent): StoredFacts {
  return {
    deviceId: event.deviceId,
    kind: event.kind,
    reason: event.reason,
    initiator: event.initiator,
    code: event.code,
    at: event.occurredAt.toISOString(),
    sessionKey: event.sessionKey,
    ordering: event.ordering,
    ip: event.clientIp,
    port: event.clientPort,
    flags: event.flags,
  };
}

/**
 * A body as `POST /api/v1/ingest/{format}` reads it (record reader, record processor, the format's adapter), without
 * the database: the events it yields and the errors of the records it refuses.
 */
export function readAsWebhook(formatName: string, body: string, receivedAt = new Date("2026-12-01T00:00:00Z")) {
  const format = getRecordFormat(formatName);
  if (!format) throw new Error(`unknown format ${formatName}`);
  const processor = createRecordProcessor(format, `webhook:${formatName}`, { receivedAt });
  if (format.input === "json") for (const record of readRecords(format, body)) processor.pushJson(record);
  else for (const line of body.split("\n")) processor.pushLine(line);
  const { events, deadLetters } = processor.drain();
  return { events: events.map(storedFacts), rejections: deadLetters.map((letter) => letter.error) };
}
