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

  it("refuses a lifecycle line whose only time is a year-less syslog time, and skips other programs' lines", () => {
    const parser = createMosquittoLogParser();
    expect(parser.parseLine("Nov 14 22:13:27 broker mosquitto[123]: Client d1 closed its connection.")).toEqual({
      ok: false,
      error: expect.stringContaining("journalctl -o short-iso"),
    });
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
