import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { parseUntrustedJson } from "./adapter-kit.ts";
import { parseAwsPresenceMessage, parseAwsRecord } from "./aws-iot.ts";
import { parseAedesMessage } from "./aedes.ts";
import { parseAzureRecord } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";
import { splitJsonRecords } from "@/lib/ingest/json-record-splitter.ts";

// The hot adapters' whole output (events deep, or the rejection reason) for every verbatim sample and for inputs
// around every check, recorded before their fast paths were written (decision 045): a fast path must change nothing.
const fixtureDir = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtureDir), "utf8");
const fixtures = (dir: string) => readdirSync(new URL(`${dir}/`, fixtureDir)).filter((name) => /\.(json|txt)$/.test(name));

const sysTopic = (clientId: string, type: string) => `$SYS/brokers/emqx@127.0.0.1/clients/${clientId}/${type}`;
const connected = {
  clientid: "dev-1",
  username: "u",
  ipaddress: "10.0.0.1",
  proto_ver: 5,
  keepalive: 60,
  clean_start: true,
  connected_at: 1764590400000,
};
const disconnected = { clientid: "dev-1", reason: "keepalive_timeout", connected_at: 1764590400000, disconnected_at: 1764590460000 };

const EMQX_INPUTS: [string, string][] = [
  ...fixtures("emqx").flatMap((name): [string, string][] => [
    [sysTopic("emqtt-8348fe27a87976ad4db3", "connected"), fixture(`emqx/${name}`)],
    [sysTopic("c_emqx", "disconnected"), fixture(`emqx/${name}`)],
    [sysTopic("c_emqx", "connack"), fixture(`emqx/${name}`)],
    ["$events/client_disconnected", fixture(`emqx/${name}`)],
    ["rules/out", fixture(`emqx/${name}`)],
  ]),
  // The worker benchmark's messages (scripts/bench-worker-backlog.ts).
  [
    "bench/events",
    JSON.stringify({
      event: "client.connected",
      clientid: "bench-1",
      node: "bench@127.0.0.1",
      connected_at: 1764590400000,
      ipaddress: "10.0.0.1",
      keepalive: 60,
      proto_ver: 4,
    }),
  ],
  [
    "bench/events",
    JSON.stringify({
      event: "client.disconnected",
      clientid: "bench-1",
      reason: "keepalive_timeout",
      node: "bench@127.0.0.1",
      connected_at: 1764590399990,
      disconnected_at: 1764590400000,
    }),
  ],
  [
    "$events/client/connected",
    JSON.stringify({ ...connected, peername: "10.1.2.3:51234", sockport: 1883, proto_name: "MQTT", extra: { a: [1, 2] } }),
  ],
  ["$events/client/connected", JSON.stringify({ ...connected, peername: "[2001:db8::1]:51234" })],
  ["$events/client/connected", JSON.stringify({ ...connected, peername: "no-port" })],
  [
    "$events/client/connected",
    JSON.stringify({ ...connected, username: null, ipaddress: null, keepalive: null, connected_at: undefined, ts: 1764590400001 }),
  ],
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: undefined, timestamp: 1764590400002 })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, disconn_props: { "Reason-String": "bye".repeat(300) } })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, disconn_props: { "Reason-String": 7 } })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, disconnected_at: 1764590300000 })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, reason: undefined })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, reason: "takenover", node: "emqx@10.0.0.9" })],
  [
    "$events/client/connack",
    JSON.stringify({ clientid: "dev-1", reason_code: "not_authorized", timestamp: 1764590400000, peername: "10.0.0.1:1" }),
  ],
  ["$events/client/connack", JSON.stringify({ clientid: "dev-1", reason_code: "bad_username_or_password", connected_at: 1764590400000 })],
  ["$events/client/connack", JSON.stringify({ clientid: "dev-1", reason_code: "success", connected_at: 1764590400000 })],
  ["rules/out", JSON.stringify({ clientid: "dev-1", reason_code: "banned", ts: 1764590400000 })],
  ["rules/out", JSON.stringify({ clientid: "dev-1" })],
  ["rules/out", JSON.stringify({ ...connected, event: "client.subscribed" })],
  // Rejections: the reasons must stay word for word.
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: undefined })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, disconnected_at: undefined })],
  ["$events/client/connack", JSON.stringify({ clientid: "dev-1", reason_code: "banned" })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: "" })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: "a\u0000b" })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: "a\u0001b" })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: "x".repeat(513) })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: 42 })],
  ["$events/client/connected", JSON.stringify({ ...connected, clientid: undefined })],
  ["$events/client/connected", JSON.stringify({ ...connected, keepalive: -1 })],
  ["$events/client/connected", JSON.stringify({ ...connected, keepalive: 1.5, proto_ver: "4" })],
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: -5 })],
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: 1.5 })],
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: "1764590400000" })],
  ["$events/client/connected", JSON.stringify({ ...connected, connected_at: 9e15 })],
  ["$events/client/connected", JSON.stringify({ ...connected, clean_start: "true", username: 5 })],
  ["$events/client/connected", JSON.stringify({ ...connected, username: "u".repeat(301) })],
  ["$events/client/connected", JSON.stringify({ ...connected, node: "n".repeat(301) })],
  ["$events/client/connected", JSON.stringify({ ...connected, proto_ver: 2 ** 40 })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, reason: 5 })],
  ["$events/client/disconnected", JSON.stringify({ ...disconnected, reason: "r".repeat(300) })],
  ["$events/client/connected", JSON.stringify({ ...connected, event: 5 })],
  ["$events/client/connected", JSON.stringify({ ...connected, sockport: 70000 })],
  ["$events/client/connected", JSON.stringify({ ...connected, peername: "10.0.0.1:99999" })],
  ["$events/client/connected", JSON.stringify([connected])],
  ["$events/client/connected", "null"],
  ["$events/client/connected", "7"],
  ["$events/client/connected", "{not json"],
  ["$events/client/connected", ""],
  ["$events/client/connected", '{"__proto__":{"clientid":"x"}}'],
];

const stormRecords = generateReconnectStorm({
  devices: 20,
  deviceIdPrefix: "storm-",
  startMs: Date.UTC(2026, 11, 1, 12),
  spreadMs: 60_000,
});
const presence = {
  clientId: "dev-1",
  timestamp: 1764590400000,
  eventType: "connected",
  sessionIdentifier: "s-1",
  principalIdentifier: "p",
  ipAddress: "10.0.0.1",
  versionNumber: 3,
};
const presenceTopic = (type: string, clientId = "dev-1") => `$aws/events/presence/${type}/${clientId}`;

const AWS_INPUTS: [string | null, string][] = [
  ...fixtures("aws").flatMap((name): [string | null, string][] => [
    [null, fixture(`aws/${name}`)],
    [presenceTopic("connected", "186b5"), fixture(`aws/${name}`)],
    [presenceTopic("disconnected", "186b5"), fixture(`aws/${name}`)],
    [presenceTopic("connect_failed", "186b5"), fixture(`aws/${name}`)],
  ]),
  ...stormRecords.map((record): [string, string] => [presenceTopic(record.eventType, record.clientId), JSON.stringify(record)]),
  ...stormRecords
    .slice(0, 6)
    .map((record): [string, string] => [`bench/aws-presence/${record.eventType}/${record.clientId}`, JSON.stringify(record)]),
  [presenceTopic("connected"), JSON.stringify({ ...presence, versionNumber: undefined, sessionIdentifier: undefined })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, thingName: null, ipAddress: null, principalIdentifier: null })],
  [
    presenceTopic("disconnected"),
    JSON.stringify({
      ...presence,
      eventType: "disconnected",
      clientInitiatedDisconnect: false,
      disconnectReason: "CLIENT_INITIATED_DISCONNECT",
    }),
  ],
  [
    presenceTopic("disconnected"),
    JSON.stringify({ ...presence, eventType: "disconnected", clientInitiatedDisconnect: true, disconnectReason: "CONNECTION_LOST" }),
  ],
  [presenceTopic("disconnected"), JSON.stringify({ ...presence, eventType: "disconnected" })],
  [presenceTopic("connect_failed"), JSON.stringify({ ...presence, eventType: "connect_failed" })],
  ["$aws/events/subscriptions/subscribed/dev-1", JSON.stringify({ ...presence, eventType: "subscribed" })],
  ["$aws/events/presence/connected/dev-1", JSON.stringify({ ...presence, extra: { nested: true } })],
  [null, JSON.stringify({ ...presence, versionNumber: 2 ** 53 - 1 })],
  // Rejections: the reasons must stay word for word.
  [presenceTopic("disconnected"), JSON.stringify(presence)],
  ["$aws/things/dev-1/shadow/update", JSON.stringify(presence)],
  [presenceTopic("connected"), JSON.stringify({ ...presence, clientId: "" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, clientId: "a\u0001b" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, clientId: "x".repeat(513) })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, clientId: 7 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, timestamp: -1 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, timestamp: 1.5 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, timestamp: "1764590400000" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, timestamp: 9e15 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, eventType: "online" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, versionNumber: -1 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, versionNumber: "3" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, ipAddress: "i".repeat(2001) })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, ipAddress: "i".repeat(101) })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, principalIdentifier: "p".repeat(301) })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, sessionIdentifier: "s".repeat(700) })],
  [presenceTopic("disconnected"), JSON.stringify({ ...presence, eventType: "disconnected", disconnectReason: "D".repeat(201) })],
  [presenceTopic("disconnected"), JSON.stringify({ ...presence, eventType: "disconnected", clientInitiatedDisconnect: "yes" })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, thingName: 5 })],
  [presenceTopic("connected"), JSON.stringify({ ...presence, clientId: undefined, timestamp: undefined })],
  [presenceTopic("connected"), JSON.stringify([presence])],
  [presenceTopic("connected"), "null"],
  [presenceTopic("connected"), "{not json"],
  [null, JSON.stringify({ ...presence, eventType: "Connect", status: "Success", timestamp: "2017-08-10 15:37:23.476" })],
  [
    null,
    JSON.stringify({
      logLevel: "ERROR",
      eventType: "Disconnect",
      status: "Failure",
      clientId: "dev-1",
      timestamp: "2017-08-10 15:37:23.476",
      disconnectReason: "DUPLICATE_CLIENT_ID",
      details: "x",
    }),
  ],
  [
    null,
    JSON.stringify({
      logLevel: "ERROR",
      eventType: "Connect",
      status: "Failure",
      clientId: "dev-1",
      timestamp: "2017-08-10 15:37:23.476",
      reason: "AUTHORIZATION_FAILURE",
    }),
  ],
  [
    null,
    JSON.stringify({
      logLevel: "INFO",
      eventType: "Publish-In",
      status: "Success",
      clientId: "dev-1",
      timestamp: "2017-08-10 15:37:23.476",
    }),
  ],
  [null, JSON.stringify({ logLevel: "INFO", eventType: "Connect", status: "Success", clientId: "dev-1", timestamp: "yesterday" })],
  [null, JSON.stringify({ logLevel: "INFO", eventType: "Connect", clientId: "dev-1" })],
];

function describeResult(result: AdapterResult): unknown {
  return result.ok ? { events: result.events, samples: result.samples } : { error: result.error };
}

function describeRecord(payload: string): unknown {
  const json = parseUntrustedJson(payload);
  return json.ok ? describeResult(parseAwsRecord(json.value)) : null;
}

describe("hot adapters: output over the recorded corpus", () => {
  it("EMQX", () => {
    expect(
      EMQX_INPUTS.map(([topic, payload]) => ({ topic, result: describeResult(parseEmqxMessage(topic, Buffer.from(payload))) })),
    ).toMatchSnapshot();
  });

  it("AWS IoT presence and CloudWatch", () => {
    expect(
      AWS_INPUTS.map(([topic, payload]) => ({
        topic,

        message: describeResult(parseAwsPresenceMessage(topic, Buffer.from(payload))),
        record: topic === null ? describeRecord(payload) : null,
      })),
    ).toMatchSnapshot();
  });
});

describe("the other adapters: output over their verbatim samples", () => {
  it("Azure IoT Hub and Event Grid", () => {
    const records = fixtures("azure").flatMap((name) => splitJsonRecords(fixture(`azure/${name}`)).map((record) => record.text));
    const values = records.flatMap((text) => {
      const json = parseUntrustedJson(text);
      return !json.ok ? [] : Array.isArray(json.value) ? (json.value as unknown[]) : [json.value];
    });
    expect(values.map((value) => describeResult(parseAzureRecord(value)))).toMatchSnapshot();
  });

  it("Mosquitto log lines, HiveMQ event.log lines, aedes $SYS publishes", () => {
    const mosquitto = createMosquittoLogParser({ brokerNode: "capture" });
    const mosquittoLines = fixtures("mosquitto").flatMap((name) => fixture(`mosquitto/${name}`).split("\n").filter(Boolean));
    const hivemqLines = fixture("hivemq/kb-event-log-statements.txt").split("\n").filter(Boolean);
    const aedesLines = fixture("aedes/capture-1.2.0.txt")
      .split("\n")
      .filter((line) => line.includes(" publish $SYS/"));
    expect({
      mosquitto: mosquittoLines.map((line) => describeResult(mosquitto.parseLine(line))),
      hivemq: hivemqLines.map((line) => describeResult(parseHivemqEventLine(`2024-05-01 10:00:00,123 - ${line}`))),
      aedes: aedesLines.map((line) => {
        const [time, , topic, payload] = line.split(" ");
        return describeResult(
          parseAedesMessage(topic ?? "", Buffer.from(JSON.parse(payload ?? '""') as string), { receivedAt: new Date(time ?? "") }),
        );
      }),
    }).toMatchSnapshot();
  });

  it("device reports", () => {
    const reports: unknown[] = [
      { deviceId: "d1", occurredAt: "2026-11-22T10:00:00Z", error: "connack timeout" },
      { deviceId: "d", occurredAt: 1, crtCode: 5134 },
      { deviceId: "d", occurredAt: 1, connackCode: 5 },
      { deviceId: "d", occurredAt: 1, reasonCode: 0x8e },
      { deviceId: "", occurredAt: 1 },
      { deviceId: "d", occurredAt: "never" },
    ];
    expect(reports.map((report) => describeResult(parseDeviceReport(report)))).toMatchSnapshot();
  });
});
