import { readFileSync } from "node:fs";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";

/** Device-side evidence fixtures (e2e/fixtures): real-looking files with fixed dates, moved to the present by tests. */
export const EVIDENCE_FIXTURES = {
  collector: "mqtt_diagnostics.json",
  homeAssistant: "home-assistant-diagnostics.json",
  journal: "journal-short-iso.log",
} as const;

/** The broker-side drops the journal fixture's device had (its Wi-Fi dropped about 30 s before each). */
export const JOURNAL_FIXTURE_DROPS = [
  "2026-11-30T09:02:40Z",
  "2026-11-30T10:31:12Z",
  "2026-11-30T12:05:55Z",
  "2026-11-30T13:40:03Z",
  "2026-11-30T15:12:30Z",
] as const;

// ISO 8601 in UTC as the fixtures write it: Python's isoformat (+00:00, microseconds) and journalctl short-iso (+0000).
const UTC_TIMESTAMP = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{3})?(\d*)(\+00:00|\+0000|Z)/g;

export function readEvidenceFixture(name: string): string {
  return readFileSync(new URL(`../../e2e/fixtures/${name}`, import.meta.url), "utf8");
}

/** Every UTC timestamp in `text` moved by `shiftMs`, each written in its original form. */
export function shiftEvidenceTimes(text: string, shiftMs: number): string {
  return text.replace(UTC_TIMESTAMP, (_match, seconds: string, millis: string | undefined, micros: string, zone: string) => {
    const shifted = new Date(Date.parse(`${seconds}${millis ?? ""}Z`) + shiftMs).toISOString();
    return `${shifted.slice(0, 19)}${millis === undefined ? "" : shifted.slice(19, 23)}${micros}${zone}`;
  });
}

/** The newest UTC timestamp in `text`. */
export function findNewestTime(text: string): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const match of text.matchAll(UTC_TIMESTAMP)) newest = Math.max(newest, Date.parse(`${match[1]}${match[2] ?? ""}Z`));
  return newest;
}

/** A fixture whose newest timestamp is `newestAt`. */
export function readShiftedFixture(name: string, newestAt: number): string {
  const text = readEvidenceFixture(name);
  return shiftEvidenceTimes(text, newestAt - findNewestTime(text));
}

/**
 * The broker's view of the journal fixture's device, moved by `shiftMs`: connected three hours before the first
 * drop, each drop a lost connection (reconnected 15 s later). A source of its own keeps other devices' drops from
 * making them look fleet-wide.
 */
export function buildJournalFixtureBrokerEvents(deviceId: string, shiftMs: number): ConnectionEvent[] {
  const drops = JOURNAL_FIXTURE_DROPS.map((at) => Date.parse(at) + shiftMs);
  const event = (kind: "connected" | "disconnected", at: number): ConnectionEvent => ({
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt: new Date(at),
    reason: kind === "connected" ? "connected" : "connection_lost",
    initiator: kind === "connected" ? "client" : "network",
    code: kind === "connected" ? null : "emqx:tcp_closed",
    source: "emqx-evidence-fixture",
    clientIp: "203.0.113.7",
    keepaliveSec: 60,
    dedupeKey: computeDedupeKey("emqx-evidence-fixture", [deviceId, kind, at]),
    raw: {},
  });
  return [
    event("connected", (drops[0] ?? 0) - 3 * 3_600_000),
    ...drops.flatMap((at) => [event("disconnected", at), event("connected", at + 15_000)]),
  ];
}
