import { describe, expect, it } from "vitest";
import { buildConnectionEvent, isPlainValidConnectionEvent } from "./build-connection-event.ts";
import { ConnectionEventSchema, EVENT_DEFAULTS, type ConnectionEvent } from "./connection-event.ts";

const base = buildConnectionEvent({
  deviceId: "dev-1",
  kind: "disconnected",
  occurredAt: new Date(1764590400000),
  reason: "keepalive_timeout",
  initiator: "network",
  source: "emqx",
  feed: "emqx:sys",
  code: "emqx:keepalive_timeout",
  ordering: 7n,
  clientPort: 1883,
  keepaliveSec: 60,
  cleanStart: true,
  flags: ["disconnected_before_connected"],
  dedupeKey: "emqx:0123456789abcdef0123",
  raw: { any: ["thing"] },
});

// Values at and around every bound of ConnectionEventSchema, one field at a time.
const VARIANTS: Record<string, unknown[]> = {
  deviceId: ["", "x", "x".repeat(512), "x".repeat(513), "a\u0000b", "a\u007fb", "ü/😀", 5, null, undefined],
  kind: ["connected", "device_report", "online", null],
  occurredAt: [new Date(Number.NaN), new Date(0), 1764590400000, "2026-12-01", null],
  reason: ["unknown", "connected", "nope", null],
  initiator: ["client", "server", "", null],
  code: [null, "", "c".repeat(200), "c".repeat(201), 5, undefined],
  message: [null, "m".repeat(2000), "m".repeat(2001), undefined],
  source: ["", "s", "s".repeat(100), "s".repeat(101), null],
  brokerNode: [null, "n".repeat(300), "n".repeat(301)],
  sessionKey: [null, "k".repeat(600), "k".repeat(601)],
  ordering: [null, 0n, -1n, 5, undefined],
  clientIp: [null, "i".repeat(100), "i".repeat(101)],
  clientPort: [null, 0, 65535, 65536, -1, 1.5, Number.NaN, "80"],
  protocolVersion: [null, 5, 2 ** 53, 2 ** 53 - 1, -3, 4.5, Number.POSITIVE_INFINITY],
  keepaliveSec: [null, 0, -1, 2.5, 2 ** 60],
  cleanStart: [null, false, "true", 0, undefined],
  sessionPresent: [null, true, 1],
  username: [null, "u".repeat(300), "u".repeat(301)],
  tls: [null, false, "yes"],
  flags: [[], ["a", "b"], ["a", 1], "a", null, undefined],
  dedupeKey: ["k".repeat(15), "k".repeat(16), "k".repeat(128), "k".repeat(129), null],
  raw: [undefined, null, "text", 5],
};

describe("buildConnectionEvent", () => {
  it("is the spread of the defaults it replaces, in the schema's key order", () => {
    const fields = {
      deviceId: "d",
      kind: "connected",
      occurredAt: new Date(0),
      reason: "connected",
      initiator: "client",
      source: "s",
      feed: "s:shape",
      dedupeKey: "k".repeat(16),
      raw: 1,
    } as const;
    const built = buildConnectionEvent(fields);
    expect(built).toStrictEqual({ ...EVENT_DEFAULTS, ...fields });
    expect(Object.keys(built)).toEqual(Object.keys(ConnectionEventSchema.shape));
  });
});

describe("isPlainValidConnectionEvent", () => {
  it("takes the common well-formed event", () => {
    expect(isPlainValidConnectionEvent(base)).toBe(true);
  });

  it("accepts only what the schema accepts, and the schema returns the same event", () => {
    let accepted = 0;
    for (const [field, values] of Object.entries(VARIANTS)) {
      for (const value of values) {
        const event = { ...base, [field]: value } as ConnectionEvent;
        if (!isPlainValidConnectionEvent(event)) continue;
        accepted += 1;
        const parsed = ConnectionEventSchema.safeParse(event);
        expect(parsed.success, `${field} = ${String(value)}`).toBe(true);
        expect(buildConnectionEvent(event)).toStrictEqual(parsed.data);
      }
    }
    expect(accepted).toBeGreaterThan(40);
  });

  it("leaves to the schema everything the schema refuses", () => {
    for (const [field, values] of Object.entries(VARIANTS)) {
      for (const value of values) {
        const event = { ...base, [field]: value } as ConnectionEvent;
        if (!ConnectionEventSchema.safeParse(event).success)
          expect(isPlainValidConnectionEvent(event), `${field} = ${String(value)}`).toBe(false);
      }
    }
  });
});
