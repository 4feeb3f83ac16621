import { toJsonText } from "@/lib/json/json-text.ts";
import { formatCsvCell } from "./csv.ts";
import { MAX_EXPORT_EVENTS, type DeviceHistory } from "./load-device-history.ts";
import { redactSecrets, type RedactionOptions } from "@/lib/security/redact.ts";

export const CSV_COLUMNS = [
  "record",
  "id",
  "occurred_at",
  "ended_at",
  "kind",
  "reason",
  "initiator",
  "code",
  "message",
  "source",
  "broker_node",
  "session_key",
  "client_ip",
  "keepalive_sec",
  "username",
  "raw",
] as const;

/** Redacted once, here, so the CSV and JSON forms carry exactly the same data. */
export function redactDeviceHistory(history: DeviceHistory, options: RedactionOptions): DeviceHistory {
  return redactSecrets(history, options);
}

export function formatDeviceHistoryJson(history: DeviceHistory, options: RedactionOptions): string {
  const redacted = redactDeviceHistory(history, options);
  return toJsonText({ ...redacted, redaction: { secrets: true, ips: options.redactIps } });
}

/** The header every history export carries when the window held more than the export does. */
export const TRUNCATED_HEADER = "X-Linkscope-Truncated";

/**
 * One row per event and per session (column `record`), oldest first; RFC 4180 quoting. A cut export ends with
 * one more row whose `record` is `truncated` and whose `message` says what was left out, so the file alone says so.
 */
export function formatDeviceHistoryCsv(history: DeviceHistory, options: RedactionOptions): string {
  const { events, sessions } = redactDeviceHistory(history, options);
  const rows: (string | number | null)[][] = [[...CSV_COLUMNS]];
  for (const event of events) {
    rows.push([
      "event",
      event.id,
      event.occurredAt.toISOString(),
      null,
      event.kind,
      event.reason,
      event.initiator,
      event.code,
      event.message,
      event.source,
      event.brokerNode,
      event.sessionKey,
      event.clientIp,
      event.keepaliveSec,
      event.username,
      toJsonText(event.raw),
    ]);
  }
  for (const session of sessions) {
    rows.push([
      "session",
      session.id,
      session.startedAt.toISOString(),
      session.endedAt?.toISOString() ?? null,
      "session",
      session.endReason,
      null,
      session.endCode,
      null,
      null,
      null,
      session.sessionKey,
      session.clientIp,
      null,
      null,
      null,
    ]);
  }
  if (history.truncated) {
    const marker: (string | null)[] = CSV_COLUMNS.map(() => null);
    marker[0] = "truncated";
    marker[CSV_COLUMNS.indexOf("message")] =
      `export truncated: only the newest ${MAX_EXPORT_EVENTS} events (and sessions) of the window are included`;
    rows.push(marker);
  }
  return `${rows.map((row) => row.map(formatCsvCell).join(",")).join("\r\n")}\r\n`;
}
