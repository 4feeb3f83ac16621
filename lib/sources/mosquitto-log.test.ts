import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";

function events(result: AdapterResult): ConnectionEvent[] {
  if (!result.ok) throw new Error(`expected events, got rejection: ${result.error}`);
  return result.events;
}

function parseAll(lines: string[]): ConnectionEvent[] {
  const parser = createMosquittoLogParser({ brokerNode: "b" });
  return lines.flatMap((line) => events(parser.parseLine(line)));
}

describe("Mosquitto 2.1.1+ disconnect lines (lifecycle-formats.md §4.1)", () => {
  // src/loop.c v2.1.2: "Client %s [%s:%d] disconnected: bad socket read/write: %s" with mosquitto_strerror(), whose
  // 2.1 texts carry no closing period ("A TLS error occurred", "Invalid input").
  it.each([
    ["A TLS error occurred", "mosquitto:tls-error", "tls_error"],
    ["Invalid input", "mosquitto:bad-socket-read-write", "connection_lost"],
    ["The connection was lost", "mosquitto:bad-socket-read-write", "connection_lost"],
  ])("reads `disconnected: bad socket read/write: %s` (no closing period) as a disconnect", (text, code, reason) => {
    const [connected, disconnected] = parseAll([
      "1795345068: New connection from 127.0.0.1:54798 on port 1883.",
      "1795345068: New client connected from 127.0.0.1:54798 as dev-001 (p2, c1, k60).",
      `1795345069: Client dev-001 [127.0.0.1:54798] disconnected: bad socket read/write: ${text}`,
    ]);
    expect(disconnected).toMatchObject({
      deviceId: "dev-001",
      kind: "disconnected",
      code,
      reason,
      clientIp: "127.0.0.1",
      clientPort: 54798,
      sessionKey: connected?.sessionKey,
      occurredAt: new Date(1795345069000),
    });
  });

  it("still reads the period-terminated 2.1 reasons", () => {
    const [, disconnected] = parseAll([
      "1795345068: New client connected from 127.0.0.1:54798 as dev-001 (p5, c1, k2).",
      "1795345072: Client dev-001 [127.0.0.1:54798] disconnected: exceeded timeout.",
    ]);
    expect(disconnected).toMatchObject({ kind: "disconnected", code: "mosquitto:exceeded-timeout", reason: "keepalive_timeout" });
  });
});

describe("Mosquitto lines behind a log collector's prefix", () => {
  const at = (result: AdapterResult) => events(result).map((e) => [e.kind, e.occurredAt.toISOString()]);

  it("takes Mosquitto's own time behind a syslog or journald prefix, else the collector's full time", () => {
    const parser = createMosquittoLogParser();
    expect(
      at(
        parser.parseLine("Nov 14 22:13:27 broker mosquitto[123]: 1700000007: New client connected from 10.0.0.1:5000 as d1 (p2, c1, k60)."),
      ),
    ).toEqual([["connected", "2023-11-14T22:13:27.000Z"]]);
    expect(at(parser.parseLine("1700000008.123456 broker mosquitto[123]: Client d1 closed its connection."))).toEqual([
      ["disconnected", "2023-11-14T22:13:28.000Z"],
    ]);
    expect(
      at(parser.parseLine("2023-11-14T23:13:29+0100 broker mosquitto[123]: New client connected from 10.0.0.1:5001 as d1 (p2, c1, k60).")),
    ).toEqual([["connected", "2023-11-14T22:13:29.000Z"]]);
    expect(at(parser.parseLine("2023-11-14T22:13:30.123456789Z Client d1 disconnected."))).toEqual([
      ["disconnected", "2023-11-14T22:13:30.000Z"],
    ]);
  });

  it("places a year-less syslog time in a year, flagged, and skips other programs' lines", () => {
    const parser = createMosquittoLogParser({ syslogYear: { reference: new Date("2026-12-04T23:40:00Z") } });
    const connected = parser.parseLine("Dec  4 23:30:56 host mosquitto[812]: New client connected from 10.0.0.1:5000 as d1 (p2, c1, k60).");
    expect(connected).toMatchObject({ ok: true, events: [{ kind: "connected", flags: ["year_inferred"] }] });
    expect(at(connected)).toEqual([["connected", "2026-12-04T23:30:56.000Z"]]);
    // Some relays write the day unpadded.
    expect(at(parser.parseLine("Dec 4 23:31:02 host mosquitto[812]: Client d1 closed its connection."))).toEqual([
      ["disconnected", "2026-12-04T23:31:02.000Z"],
    ]);
    // Without an import time, the time the line was received stands in.
    const live = createMosquittoLogParser().parseLine(
      "Nov 14 22:13:27 broker mosquitto[123]: Client d1 closed its connection.",
      new Date("2027-01-03T00:00:00Z"),
    );
    expect(at(live)).toEqual([["disconnected", "2026-11-14T22:13:27.000Z"]]);
    expect(parser.parseLine("Nov 14 22:13:27 broker sshd[99]: Accepted publickey for root")).toEqual({ ok: true, events: [] });
  });
});

describe("the feed of a Mosquitto line", () => {
  it("tells a log file's line from the same line on `$SYS/broker/log`, which may be stored under another dedupe key", () => {
    const parser = createMosquittoLogParser();
    const line = "1795345068: New client connected from 127.0.0.1:54798 as dev-001 (p2, c1, k60).";
    expect(events(parser.parseLine(line)).map((event) => event.feed)).toEqual(["mosquitto:log-file"]);
    expect(events(parser.parse("$SYS/broker/log/N", line)).map((event) => event.feed)).toEqual(["mosquitto:log-topic"]);
    expect(events(parser.parseLine(line)).map((event) => event.feed)).toEqual(["mosquitto:log-file"]);
  });
});

describe("a Mosquitto log with year-less syslog times (decision 076)", () => {
  const lines = [
    "Dec 30 23:00:00 gw mosquitto[812]: New client connected from 10.0.0.1:5000 as d1 (p2, c1, k60).",
    "Dec 31 23:59:59 gw mosquitto[812]: Client d1 has exceeded timeout, disconnecting.",
    "Jan  1 00:00:03 gw mosquitto[812]: New client connected from 10.0.0.1:5001 as d1 (p2, c1, k60).",
    "Jan  2 08:00:00 gw mosquitto[812]: Client d1 closed its connection.",
  ];
  const read = (options: Parameters<typeof createMosquittoLogParser>[0]) => {
    const parser = createMosquittoLogParser(options);
    return lines.flatMap((line) => parser.parseLine(line)).flatMap((result) => (result.ok ? result.events : []));
  };

  it("stays monotonic across New Year: a file from Dec 30 to Jan 2 gets two years", () => {
    const events = read({ syslogYear: { reference: new Date("2027-01-05T10:00:00Z") } });
    expect(events.map((event) => event.occurredAt.toISOString())).toEqual([
      "2026-12-30T23:00:00.000Z",
      "2026-12-31T23:59:59.000Z",
      "2027-01-01T00:00:03.000Z",
      "2027-01-02T08:00:00.000Z",
    ]);
    expect(events.every((event) => event.flags.includes("year_inferred"))).toBe(true);
  });

  it("starts in the year the user gives, flagged as given", () => {
    const events = read({ syslogYear: { reference: new Date("2027-06-01T00:00:00Z"), year: 2024 } });
    expect(events.map((event) => event.occurredAt.toISOString().slice(0, 10))).toEqual([
      "2024-12-30",
      "2024-12-31",
      "2025-01-01",
      "2025-01-02",
    ]);
    expect(events.every((event) => event.flags.includes("year_given_at_import") && !event.flags.includes("year_inferred"))).toBe(true);
  });
});

describe("Mosquitto log lines built to backtrack", () => {
  // A client ID and an address that could both run over every ` [` (or ` as `) of an 8 KB line tried each split of it
  // against the rest: 30–120 ms a line, minutes for an upload of them. Addresses hold no space and no bracket.
  it.each([
    ["Client", `Client${" [".repeat(4_000)}`],
    ["New client", `New client connected from${" as x".repeat(1_600)}`],
  ])("reads 2,000 lines of `%s` in one pass each", { timeout: 30_000 }, (_name, message) => {
    const parser = createMosquittoLogParser({ brokerNode: "b" });
    for (let i = 0; i < 2_000; i += 1) expect(parser.parseLine(`1700000000: ${message}`).ok).toBe(true);
  });

  it("still reads an IPv6 address and a client ID holding brackets", () => {
    const [connected, dropped] = parseAll([
      "1700000000: New client connected from ::1:51020 as dev [a] (p2, c1, k60).",
      "1700000001: Client dev [a] [::1:51020] disconnected: exceeded timeout.",
    ]);
    expect(connected).toMatchObject({ deviceId: "dev [a]", clientIp: "::1", clientPort: 51020 });
    expect(dropped).toMatchObject({ deviceId: "dev [a]", code: "mosquitto:exceeded-timeout" });
  });
});
