import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { createSyslogYearReader } from "@/lib/time/syslog-year.ts";
import {
  classifySystemLogLine,
  parseJournalJsonRecord,
  parseSystemLogTextLine,
  SYSTEM_LOG_KIND_LABELS,
  type SyslogClock,
  type SystemLogEvent,
  type SystemLogLine,
} from "./system-log-lines.ts";

export const SYSTEM_LOG_SOURCE = "device-system-log";
/** Recognised system events kept from one upload; a longer log keeps its newest. */
export const MAX_SYSTEM_EVENTS_PER_UPLOAD = 5_000;
const MAX_LINE_CHARS = 64 * 1024;

export type SystemLogSummary = {
  lines: number;
  /** Lines in a known form whose content is not a system event we recognise (most of a journal). */
  unrecognized: number;
  /** Lines in no known form (continuations, headers, other formats). */
  unreadable: number;
  /** Recognised system events left out beyond MAX_SYSTEM_EVENTS_PER_UPLOAD (the oldest). */
  skipped: number;
  /** Each with its 1-based line number and its line (bounded), for a dead letter should it be refused. */
  systemEvents: (SystemLogEvent & { lineNumber: number; line: string })[];
};

/** Reads a journal (`-o short-iso`, `-o json`, default short) or syslog text into system events. Pure. */
export function readSystemLog(text: string, options: SyslogClock): SystemLogSummary {
  const clock = { ...options, years: options.years ?? createSyslogYearReader({ reference: options.reference, year: options.year }) };
  const summary: SystemLogSummary = { lines: 0, unrecognized: 0, unreadable: 0, skipped: 0, systemEvents: [] };
  let lineNumber = 0;
  for (const raw of text.split(/\r?\n/)) {
    lineNumber += 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("-- ")) continue; // journalctl's "-- Boot …" / "-- No entries --" markers
    summary.lines += 1;
    const parsed = line.length > MAX_LINE_CHARS ? null : readLine(line, clock);
    if (!parsed) {
      summary.unreadable += 1;
      continue;
    }
    const event = classifySystemLogLine(parsed);
    if (event) summary.systemEvents.push({ ...event, lineNumber, line });
    else summary.unrecognized += 1;
  }
  if (summary.systemEvents.length > MAX_SYSTEM_EVENTS_PER_UPLOAD) {
    summary.systemEvents.sort((a, b) => a.at.getTime() - b.at.getTime());
    summary.skipped = summary.systemEvents.length - MAX_SYSTEM_EVENTS_PER_UPLOAD;
    summary.systemEvents = summary.systemEvents.slice(summary.skipped);
  }
  return summary;
}

function readLine(line: string, clock: SyslogClock): SystemLogLine | null {
  if (!line.startsWith("{")) return parseSystemLogTextLine(line, clock);
  const decoded = parseUntrustedJson(line, { maxBytes: MAX_LINE_CHARS });
  return decoded.ok ? parseJournalJsonRecord(decoded.value) : null;
}

/**
 * System events as `device_report` events (`journal:<kind>` / `syslog:<kind>`, which the diagnosis reads as system
 * events). The dedupe key is the device, time, program and text: the same line uploaded again (alone or in an
 * overlapping log) is stored once.
 */
export function toSystemLogEvents(deviceId: string, events: readonly SystemLogEvent[]): ConnectionEvent[] {
  return events.map((event) => ({
    ...EVENT_DEFAULTS,
    deviceId,
    kind: "device_report",
    reason: "unknown",
    initiator: "unknown",
    source: SYSTEM_LOG_SOURCE,
    feed: FEEDS.deviceSystemLog,
    occurredAt: event.at,
    code: `${event.form}:${event.kind}`,
    message: `${SYSTEM_LOG_KIND_LABELS[event.kind]}: ${event.identifier ? `${event.identifier}: ` : ""}${event.message}`.slice(0, 400),
    dedupeKey: computeDedupeKey(SYSTEM_LOG_SOURCE, [deviceId, event.at.toISOString(), event.identifier, event.message]),
    flags: event.yearFlag ? [event.yearFlag] : [],
    raw: { identifier: event.identifier, message: event.message, kind: event.kind },
  }));
}
