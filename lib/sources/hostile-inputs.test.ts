import { describe, expect, it } from "vitest";
import { ConnectionEventSchema, type AdapterResult } from "@/lib/events/connection-event.ts";
import { createRecordProcessor } from "@/lib/ingest/record-processor.ts";
import { splitJsonRecords } from "@/lib/ingest/json-record-splitter.ts";
import { MAX_RECORD_BYTES } from "./adapter-kit.ts";
import { parseAedesMessage } from "./aedes.ts";
import { parseAwsPresenceMessage } from "./aws-iot.ts";
import { parseAzureRecord } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";
import { RECORD_FORMATS } from "./record-formats.ts";
import { MQTT_SOURCE_ADAPTERS } from "./registry.ts";

const awsTopic = "$aws/events/presence/disconnected/dev";
const goodAws = {
  clientId: "dev",
  timestamp: 1,
  eventType: "disconnected",
  sessionIdentifier: "s",
  versionNumber: 1,
  disconnectReason: "CONNECTION_LOST",
};

const HOSTILE_PAYLOADS: ReadonlyArray<readonly [string, Buffer]> = [
  ["empty", Buffer.alloc(0)],
  ["truncated JSON", Buffer.from('{"clientId":"dev","timestamp":')],
  ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ["oversized", Buffer.from(JSON.stringify({ ...goodAws, pad: "x".repeat(MAX_RECORD_BYTES) }))],
  ["prototype pollution", Buffer.from(JSON.stringify(goodAws).replace("{", '{"__proto__":{"polluted":true},'))],
  ["escaped __proto__ key", Buffer.from(JSON.stringify(goodAws).replace("{", '{"\\u005f_proto__":{"polluted":true},'))],
  ["constructor key", Buffer.from(JSON.stringify({ ...goodAws, constructor: { prototype: { polluted: true } } }))],
  ["wrong types", Buffer.from(JSON.stringify({ ...goodAws, timestamp: "yesterday", versionNumber: -1 }))],
  ["control chars in ID", Buffer.from(JSON.stringify({ ...goodAws, clientId: "dev\u0000\u0007" }))],
  ["huge ID", Buffer.from(JSON.stringify({ ...goodAws, clientId: "d".repeat(100_000) }))],
  ["array instead of object", Buffer.from("[1,2,3]")],
  ["deep nesting", Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)],
  ["binary noise", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))],
];

function expectRejected(result: AdapterResult): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.length).toBeGreaterThan(3);
}

/**
 * Rejected with a reason, or (where the damage leaves something an adapter may read, such as a log line of noise it
 * ignores) accepted with nothing but valid canonical events: never a thrown error, never a half-parsed event.
 */
function expectRejectedOrValid(result: AdapterResult): void {
  if (!result.ok) {
    expect(result.error.length).toBeGreaterThan(3);
    return;
  }
  for (const event of result.events) expect(ConnectionEventSchema.safeParse(event).error).toBeUndefined();
}

describe("hostile inputs are rejected with a reason, never thrown", () => {
  it.each(HOSTILE_PAYLOADS)("every live adapter: %s", (_name, payload) => {
    expectRejected(parseAwsPresenceMessage(awsTopic, payload));
    expectRejected(parseEmqxMessage("$SYS/brokers/n/clients/dev/disconnected", payload));
    for (const adapter of Object.values(MQTT_SOURCE_ADAPTERS)) {
      const topic =
        adapter.name === "mosquitto" ? "$SYS/broker/log/N" : adapter.name === "aedes" ? "$SYS/b/new/clients" : (adapter.topics[0] ?? "x");
      const parse = adapter.createParser?.({ brokerNode: null }) ?? adapter.parse;
      expectRejectedOrValid(parse(topic.replace("+", "dev"), payload));
    }
  });

  it("the good AWS payload is accepted (so the rejections above are about the damage)", () => {
    expect(parseAwsPresenceMessage(awsTopic, Buffer.from(JSON.stringify(goodAws))).ok).toBe(true);
  });

  it("prototype pollution never reaches Object.prototype", () => {
    parseAwsPresenceMessage(awsTopic, Buffer.from('{"__proto__":{"polluted":true},"clientId":"d","timestamp":1,"eventType":"connected"}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("aedes refuses control characters and invalid UTF-8 in the client ID payload", () => {
    expectRejected(parseAedesMessage("$SYS/b/new/clients", Buffer.from("dev\u0001")));
    expectRejected(parseAedesMessage("$SYS/b/new/clients", Buffer.from([0xc3, 0x28])));
    expectRejected(parseAedesMessage("$SYS/b/new/clients", Buffer.alloc(0)));
  });

  it("log-line adapters refuse control characters and huge lines", () => {
    const mosquitto = createMosquittoLogParser();
    expectRejected(mosquitto.parseLine("1800000000: Client a\u0000b disconnected."));
    expectRejected(mosquitto.parseLine(`1800000000: Client ${"x".repeat(20_000)} disconnected.`));
    expectRejected(parseHivemqEventLine(`2024-05-01 10:00:00,123 - Client ID: a\u001b[31m, IP: 1.2.3.4 disconnected gracefully.`));
    expectRejected(parseHivemqEventLine("not a hivemq line"));
  });

  it("Azure and device reports refuse wrong shapes with a readable reason", () => {
    expect(
      parseAzureRecord({ eventType: "Microsoft.Devices.DeviceConnected", eventTime: "2020-01-01T00:00:00Z", data: { deviceId: "" } }),
    ).toMatchObject({ ok: false, error: expect.stringContaining("data") });
    expect(parseAzureRecord({ operationName: "deviceDisconnect", time: "2020-01-01T00:00:00Z", properties: "{not json" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("properties"),
    });
    expect(parseDeviceReport({ deviceId: "d", occurredAt: "soon", error: "x" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("occurredAt"),
    });
    expect(parseAzureRecord("a string")).toMatchObject({ ok: false });
  });

  it("record processor turns every bad record of a body into a dead letter and keeps the good ones", () => {
    const body = `[${JSON.stringify(goodAws)}, {"clientId": 5}, 42, {"__proto__": {}}, ${JSON.stringify({ ...goodAws, versionNumber: 2 })}]`;
    const format = RECORD_FORMATS["aws-iot"];
    if (!format) throw new Error("aws-iot format missing");
    const processor = createRecordProcessor(format, "webhook");
    for (const record of splitJsonRecords(body)) processor.pushJson(record);
    const { events, deadLetters } = processor.drain();
    expect(events).toHaveLength(2);
    expect(deadLetters.map((d) => d.error)).toEqual([
      expect.stringContaining("clientId"),
      "a JSON number where an object (one event) was expected",
      expect.stringContaining("forbidden key"),
    ]);
  });
});

describe("splitJsonRecords", () => {
  const texts = (input: string) => splitJsonRecords(input).map((r) => (r.ok ? r.text : `ERR ${r.error}`));
  it("reads a single object, an array, NDJSON, concatenated objects and a records wrapper", () => {
    expect(texts('{"a":1}')).toEqual(['{"a":1}']);
    expect(texts('[{"a":1},{"b":"]}"}]')).toEqual(['{"a":1}', '{"b":"]}"}']);
    expect(texts('{"a":1}\n{"a":2}\n')).toEqual(['{"a":1}', '{"a":2}']);
    expect(texts('{"a":1}{"a":2}')).toEqual(['{"a":1}', '{"a":2}']);
    expect(texts('{ "records": [ {"a":1}, {"a":{"b":[2]}} ], "tail": {"x":[1]} }{"c":3}')).toEqual([
      '{"a":1}',
      '{"a":{"b":[2]}}',
      '{"c":3}',
    ]);
  });
  it("skips CloudWatch-style timestamp prefixes but reports other stray text and truncation", () => {
    expect(texts('2017-08-10T15:37:23.476Z {"a":1}\n')).toEqual(['{"a":1}']);
    expect(texts('garbage {"a":1}')).toEqual(["ERR text outside a JSON value", '{"a":1}']);
    expect(texts('[null, 42, -1.5e3, "text", true, {"a":1}]')).toEqual([
      ...["null", "number", "number", "string", "boolean"].map((kind) => `ERR a JSON ${kind} where an object (one event) was expected`),
      '{"a":1}',
    ]);
    expect(texts('{"a":')).toEqual(["ERR input ended inside a JSON value (truncated)"]);
  });
  it("handles escaped quotes and braces inside strings", () => {
    expect(texts('{"a":"\\"}{"}{"b":1}')).toEqual(['{"a":"\\"}{"}', '{"b":1}']);
  });
});
