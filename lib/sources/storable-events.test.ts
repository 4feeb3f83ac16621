import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { boundRaw } from "@/lib/ingest/bound-raw.ts";
import { parseAwsPresenceMessage } from "./aws-iot.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { parseLinkscopeAgentMessage } from "./linkscope-agent.ts";
import { RECORD_FORMATS } from "./record-formats.ts";

// Every event an adapter accepts must be one Postgres stores: otherwise the writer refuses it after the fact (a dead
// letter that says "the database refused", found by splitting the batch) instead of the adapter saying what is wrong.
// Text columns refuse NUL, jsonb refuses a \u0000 escape, timestamptz years past 9999 as JavaScript writes them
// (`+275760-…`) and year 0, int columns 2^31 and up.

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

const RECORDS: ReadonlyArray<readonly [string, unknown]> = [
  ["aws-iot", fixture("aws/presence-disconnected-docs.json")],
  ["aws-iot", fixture("aws/presence-connected-docs.json")],
  ["cloudwatch", fixture("aws/cloudwatch-disconnect-docs.json")],
  ["azure-event-grid", (fixture("azure/event-grid-device-disconnected-java-sdk.json") as unknown[])[0]],
  [
    "azure-iot-hub",
    {
      time: "2026-11-01T00:00:00Z",
      operationName: "deviceDisconnect",
      category: "Connections",
      level: "Error",
      resultType: "404104",
      resultDescription: "DeviceConnectionClosedRemotely",
      properties: JSON.stringify({ deviceId: "dev1", protocol: "Mqtt", maskedIpAddress: "1.2.3.XXX" }),
    },
  ],
  ["emqx", fixture("emqx/rule-disconnected-docs.json")],
  ["emqx", fixture("emqx/sys-disconnected-docs.json")],
  ["device-report", { deviceId: "d", occurredAt: "2026-11-22T10:00:00Z", error: "AWS_ERROR_MQTT_UNEXPECTED_HANGUP" }],
];

const HOSTILE_VALUES: readonly unknown[] = [
  "a\u0000b",
  "\\u0000",
  "C:\\\\u0000",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "1969-12-31T23:59:59Z",
  8.64e15 - 1,
  2 ** 31,
  2 ** 53 - 1,
  -(2 ** 31) - 1,
];

function leafPaths(value: unknown, path: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, String(i)]));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
  return [path];
}

function withLeaf(root: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1) as string] = value;
  return copy;
}

const INT4 = 2 ** 31;
const TEXT_FIELDS = ["deviceId", "code", "message", "source", "brokerNode", "sessionKey", "clientIp", "username"] as const;

/** Why Postgres would refuse this event, or null. */
function whyUnstorable(event: ConnectionEvent): string | null {
  for (const field of TEXT_FIELDS) if (event[field]?.includes("\u0000")) return `${field} holds NUL`;
  const at = event.occurredAt.getTime();
  if (!(at >= Date.UTC(1970, 0, 1) && at < Date.UTC(10_000, 0, 1))) return `occurredAt ${event.occurredAt.toISOString()}`;
  for (const field of ["clientPort", "protocolVersion", "keepaliveSec"] as const) {
    const value = event[field];
    if (value !== null && (value >= INT4 || value < -INT4)) return `${field} ${value} is beyond int`;
  }
  if (event.ordering !== null && (event.ordering >= 2n ** 63n || event.ordering < -(2n ** 63n))) return "ordering beyond bigint";
  const raw = boundRaw(event.raw, event.flags).raw;
  if (/(?<!\\)(?:\\\\)*\\u0000/.test(raw)) return "raw holds a \\u0000 escape";
  return null;
}

function unstorable(result: AdapterResult): string[] {
  if (!result.ok) {
    expect(result.error.length).toBeGreaterThan(3);
    return [];
  }
  return result.events.flatMap((event) => whyUnstorable(event) ?? []);
}

describe("every event an adapter accepts can be stored", () => {
  it.each(RECORDS.map(([format, record], i) => [`${format} #${i}`, format, record] as const))(
    "%s, with each field replaced by hostile values",
    (_name, formatName, record) => {
      const format = RECORD_FORMATS[formatName];
      if (format?.input !== "json") throw new Error(`${formatName} is not a JSON format`);
      const parse = format.createParser();
      expect(unstorable(parse({ value: record, text: JSON.stringify(record) }))).toEqual([]);
      const failures: string[] = [];
      for (const path of leafPaths(record)) {
        for (const value of HOSTILE_VALUES) {
          const mutated = withLeaf(record, path, value);
          for (const why of unstorable(parse({ value: mutated, text: JSON.stringify(mutated) })))
            failures.push(`${path.join(".")}=${JSON.stringify(value)}: ${why}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it("live topics: EMQX $SYS and AWS presence messages", () => {
    const emqx = fixture("emqx/sys-disconnected-docs.json");
    const aws = fixture("aws/presence-disconnected-docs.json");
    const failures: string[] = [];
    for (const [record, parse] of [
      [emqx, (payload: Buffer) => parseEmqxMessage("$SYS/brokers/n/clients/emqtt-8348fe27a87976ad4db3/disconnected", payload)],
      [aws, (payload: Buffer) => parseAwsPresenceMessage("$aws/events/presence/disconnected/186b5", payload)],
    ] as const) {
      for (const path of leafPaths(record))
        for (const value of HOSTILE_VALUES)
          for (const why of unstorable(parse(Buffer.from(JSON.stringify(withLeaf(record, path, value))))))
            failures.push(`${path.join(".")}=${JSON.stringify(value)}: ${why}`);
    }
    expect(failures).toEqual([]);
  });

  it("log lines: NUL and a literal \\u0000 in Mosquitto and HiveMQ lines", () => {
    const mosquitto = RECORD_FORMATS.mosquitto;
    const hivemq = RECORD_FORMATS.hivemq;
    if (mosquitto?.input !== "lines" || hivemq?.input !== "lines") throw new Error("log formats missing");
    const failures: string[] = [];
    for (const text of ["a\u0000b", "\\u0000", "C:\\\\u0000"]) {
      const readMosquitto = mosquitto.createParser();
      for (const line of [
        `1795345068: New client connected from 127.0.0.1:54798 as dev-${text} (p2, c1, k60, u'${text}').`,
        `1795345069: Client dev-1 [127.0.0.1:54798] disconnected: ${text}`,
      ])
        failures.push(...unstorable(readMosquitto(line)));
      failures.push(
        ...unstorable(hivemq.createParser()(`2026-11-01 10:00:00,123 - Client ID: dev-1, IP: 10.0.0.1 was disconnected. reason: ${text}.`)),
      );
    }
    expect(failures).toEqual([]);
  });
});

describe("agent vitals readings have no event to be checked, so the adapter checks them", () => {
  const vitals = (deviceId: string, measuredAt: string) =>
    Buffer.from(
      JSON.stringify({
        format: "linkscope-agent-vitals",
        version: 1,
        deviceId,
        agentId: "a1",
        measuredAt,
        vitals: { rssiDbm: -50 },
        publishedMessages: 3,
      }),
    );
  const topic = (deviceId: string) => `linkscope/agent/${encodeURIComponent(deviceId)}/report`;

  it("refuses a device ID with NUL or other control characters, and a time before 1970", () => {
    expect(parseLinkscopeAgentMessage(topic("a\u0000b"), vitals("a\u0000b", "2026-11-01T00:00:00Z"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("control characters"),
    });
    expect(parseLinkscopeAgentMessage(topic("dev"), vitals("dev", "0000-01-01T00:00:00Z"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("before 1970"),
    });
    expect(parseLinkscopeAgentMessage(topic("dev/ü 😀"), vitals("dev/ü 😀", "2026-11-01T00:00:00Z"))).toMatchObject({ ok: true });
  });
});
