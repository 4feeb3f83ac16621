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
