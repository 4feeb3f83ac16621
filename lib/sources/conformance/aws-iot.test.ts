import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { createRecordProcessor } from "@/lib/ingest/record-processor.ts";
import { readRecords } from "@/lib/ingest/record-reader.ts";
import { parseAwsPresenceMessage } from "../aws-iot.ts";
import { getRecordFormat, type RecordFormat } from "../record-formats.ts";
import { readAsWebhook, storedFacts } from "./read-as-webhook.ts";

// lifecycle-formats.md §1: every documented AWS IoT value, read through the entry points users feed.

/** §1.4 disconnectReason: what the table says each value means, in the canonical taxonomy. */
const DISCONNECT_REASONS: ReadonlyArray<readonly [string, Reason, Initiator]> = [
  ["AUTH_ERROR", "not_authorized", "server"],
  ["CLIENT_INITIATED_DISCONNECT", "client_disconnect", "client"],
  ["CLIENT_ERROR", "protocol_error", "server"],
  ["CONNECTION_LOST", "connection_lost", "network"],
  ["DUPLICATE_CLIENTID", "session_taken_over", "server"],
  ["FORBIDDEN_ACCESS", "not_authorized", "server"],
  ["MQTT_KEEP_ALIVE_TIMEOUT", "keepalive_timeout", "network"],
  ["SERVER_ERROR", "server_error", "server"],
  ["SERVER_INITIATED_DISCONNECT", "server_shutdown", "server"],
  ["API_INITIATED_DISCONNECT", "admin_disconnect", "server"],
  ["THROTTLED", "throttled", "server"],
  ["WEBSOCKET_TTL_EXPIRATION", "session_ttl", "server"],
  ["CUSTOMAUTH_TTL_EXPIRATION", "credential_expired", "server"],
  ["UNKNOWN", "unknown", "unknown"],
  ["NONE", "unknown", "unknown"],
];

const presence = (eventType: string, extra: object) => ({
  clientId: "186b5",
  timestamp: 1573002340451,
  eventType,
  sessionIdentifier: "a4666d2a7d844ae4ac5d7b38c9cb7967",
  principalIdentifier: "12345678901234567890123456789012",
  versionNumber: 3,
  ...extra,
});

describe("AWS IoT presence disconnectReason values (§1.4) on the lifecycle topic", () => {
  it.each(DISCONNECT_REASONS)("%s → %s, initiated by %s; the session key and order of its connect", (name, reason, initiator) => {
    const payload = presence("disconnected", { disconnectReason: name, clientInitiatedDisconnect: name === "CLIENT_INITIATED_DISCONNECT" });
    const result = parseAwsPresenceMessage("$aws/events/presence/disconnected/186b5", JSON.stringify(payload));
    if (!result.ok) throw new Error(result.error);
    expect(result.events.map(storedFacts)).toEqual([
      {
        deviceId: "186b5",
        kind: "disconnected",
        reason,
        initiator,
        code: `aws:${name}`,
        at: "2019-11-06T01:05:40.451Z",
        sessionKey: "186b5|a4666d2a7d844ae4ac5d7b38c9cb7967|3",
        ordering: 7n,
        ip: null,
        port: null,
        flags: [],
      },
    ]);
  });

  it("flags clientInitiatedDisconnect contradicting the reason, either way, and keeps both", () => {
    const { events } = readAsWebhook(
      "aws-iot",
      JSON.stringify([
        presence("disconnected", { disconnectReason: "CLIENT_INITIATED_DISCONNECT", clientInitiatedDisconnect: false }),
        presence("disconnected", { disconnectReason: "CONNECTION_LOST", clientInitiatedDisconnect: true, timestamp: 1573002340452 }),
      ]),
    );
    expect(events.map((e) => [e.code, e.reason, e.flags])).toEqual([
      ["aws:CLIENT_INITIATED_DISCONNECT", "client_disconnect", ["client_initiated_contradiction"]],
      ["aws:CONNECTION_LOST", "connection_lost", ["client_initiated_contradiction"]],
    ]);
  });
});

describe("AWS IoT presence events as an IoT rule delivers them (§1.2, §1.3)", () => {
  it("reads a batched array: connect (exclusive thing, IPv6), disconnect, refused connect, subscribe", () => {
    const { events, rejections } = readAsWebhook(
      "aws-iot",
      JSON.stringify([
        presence("connected", { timestamp: 1573002230757, thingName: "exampleThing", ipAddress: "2001:db8::7" }),
        presence("disconnected", { disconnectReason: "DUPLICATE_CLIENTID", clientInitiatedDisconnect: false }),
        {
          ...presence("connect_failed", { connectFailureReason: "AUTHORIZATION_FAILED", ipAddress: "192.0.2.0" }),
          versionNumber: undefined,
        },
        presence("subscribed", { topics: ["foo/bar"] }),
      ]),
    );
    expect(rejections).toEqual([]);
    expect(events.map((e) => [e.kind, e.reason, e.code, e.at, e.sessionKey, e.ordering, e.ip])).toEqual([
      ["connected", "connected", null, "2019-11-06T01:03:50.757Z", "186b5|a4666d2a7d844ae4ac5d7b38c9cb7967|3", 6n, "2001:db8::7"],
      [
        "disconnected",
        "session_taken_over",
        "aws:DUPLICATE_CLIENTID",
        "2019-11-06T01:05:40.451Z",
        "186b5|a4666d2a7d844ae4ac5d7b38c9cb7967|3",
        7n,
        null,
      ],
      ["connect_failed", "not_authorized", "aws:AUTHORIZATION_FAILED", "2019-11-06T01:05:40.451Z", null, null, "192.0.2.0"],
    ]);
  });

  it("reads the console client's principal (`<IAM role id>:<session name>`) and versionNumber 0 after an hour offline", () => {
    const { events } = readAsWebhook(
      "aws-iot",
      JSON.stringify(
        presence("connected", {
          clientId: "iotconsole-4b0d04fe-a776-472a-9121-f7fe39ab680f",
          sessionIdentifier: "0f7e6a55-1a2b-4c3d-8e9f-001122334455",
          principalIdentifier: "AROASTLVWKQ4VKIMFNOIF:tim@mattison.org",
          versionNumber: 0,
          ipAddress: "198.51.100.4",
        }),
      ),
    );
    expect(events).toMatchObject([{ deviceId: "iotconsole-4b0d04fe-a776-472a-9121-f7fe39ab680f", kind: "connected", ordering: 0n }]);
  });
});

describe("CloudWatch AWSIotLogsV2 Disconnect entries (§1.5) carry the same reasons", () => {
  // The documented Disconnect entry (§1.5), its reason replaced.
  const entry = JSON.parse(readFileSync(new URL("../fixtures/aws/cloudwatch-disconnect-docs.json", import.meta.url), "utf8")) as object;
  it.each(DISCONNECT_REASONS)("%s → %s", (name, reason, initiator) => {
    const { events } = readAsWebhook("cloudwatch", JSON.stringify({ ...entry, disconnectReason: name }));
    expect(events).toMatchObject([
      { kind: "disconnected", reason, initiator, code: `aws:${name}`, at: "2017-08-10T15:37:23.476Z", ip: "205.251.233.181", port: 13490 },
    ]);
  });
});

describe("CloudWatch Logs subscription deliveries of AWSIotLogsV2 entries (§1.5): decoded, Lambda, Firehose", () => {
  const connect = readFileSync(new URL("../fixtures/aws/cloudwatch-connect-docs.json", import.meta.url), "utf8");
  const disconnect = readFileSync(new URL("../fixtures/aws/cloudwatch-disconnect-docs.json", import.meta.url), "utf8");
  const dataMessage = (messages: string[]) => ({
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "AWSIotLogsV2",
    logStream: "9a6a6c3c-3d2b-4b1e-8d7f-2b7c5d1e0f11",
    subscriptionFilters: ["to-linkscope"],
    logEvents: messages.map((message, i) => ({ id: `3621787346354768${i}`, timestamp: 1502379443476 + i, message })),
  });
  const controlMessage = JSON.parse(
    readFileSync(new URL("../fixtures/aws/cloudwatch-subscription-control.json", import.meta.url), "utf8"),
  ) as object;
  const packed = (message: object) => gzipSync(JSON.stringify(message)).toString("base64");
  const lambda = (message: object) => JSON.stringify({ awslogs: { data: packed(message) } });
  const firehose = (...messages: object[]) =>
    JSON.stringify({
      requestId: "ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
      timestamp: 1578090901599,
      records: messages.map((m) => ({ data: packed(m) })),
    });
  const documented = [
    { kind: "connected", at: "2017-08-10T15:37:23.476Z", ip: "205.251.233.181", port: 13490 },
    { kind: "disconnected", reason: "client_disconnect", code: "aws:CLIENT_INITIATED_DISCONNECT", at: "2017-08-10T15:37:23.476Z" },
  ];

  it.each([
    ["the decoded subscription message", JSON.stringify(dataMessage([connect, disconnect]))],
    ["a Lambda event (awslogs.data: base64 of gzip)", lambda(dataMessage([connect, disconnect]))],
    ["a Firehose HTTP endpoint delivery (records[].data: base64 of gzip)", firehose(dataMessage([connect]), dataMessage([disconnect]))],
    [
      "a Firehose delivery with CloudWatch decompression on (base64 of the message)",
      JSON.stringify({
        requestId: "r",
        records: [{ data: Buffer.from(JSON.stringify(dataMessage([connect, disconnect]))).toString("base64") }],
      }),
    ],
  ])("reads %s: every log event's AWSIotLogsV2 entry, as an export's", (_, body) => {
    for (const format of ["cloudwatch", "aws-iot"]) {
      const { events, rejections } = readAsWebhook(format, body);
      expect(rejections).toEqual([]);
      expect(events).toMatchObject(documented);
    }
  });

  it("a CONTROL_MESSAGE (the subscription's health check) stores nothing and is no dead letter, in any form", () => {
    for (const body of [JSON.stringify(controlMessage), lambda(controlMessage), firehose(controlMessage, dataMessage([connect]))]) {
      const { events, rejections } = readAsWebhook("cloudwatch", body);
      expect(rejections).toEqual([]);
      expect(events.length).toBe(body.includes("records") ? 1 : 0);
    }
  });

  it("a log event whose message is not AWSIotLogsV2 JSON is a dead letter with its reason; the rest of the envelope is read", () => {
    const processor = createRecordProcessor(getRecordFormat("cloudwatch") as RecordFormat, "webhook:cloudwatch", {
      receivedAt: new Date(),
    });
    for (const record of readRecords(
      getRecordFormat("cloudwatch") as RecordFormat,
      lambda(dataMessage([connect, "START RequestId: 42", '{"eventType":"Publish-In"}', disconnect])),
    ))
      processor.pushJson(record);
    const { events, deadLetters } = processor.drain();
    expect(events.map((e) => e.kind)).toEqual(["connected", "disconnected"]);
    expect(deadLetters.map((d) => d.error)).toEqual([
      expect.stringMatching(/^CloudWatch log event's message is not a JSON entry: payload is not JSON/),
      expect.stringMatching(/./),
    ]);
    // The dead letter is the log event as the CloudWatch Logs API prints one: re-processing reads it as an export's.
    expect(JSON.parse(String(deadLetters[0]?.payload))).toEqual({
      logGroupName: "AWSIotLogsV2",
      logStreamName: "9a6a6c3c-3d2b-4b1e-8d7f-2b7c5d1e0f11",
      eventId: "36217873463547681",
      timestamp: 1502379443477,
      message: "START RequestId: 42",
    });
  });

  it("refuses data that is not base64, does not inflate, or is no subscription message, naming which", () => {
    const { rejections } = readAsWebhook(
      "cloudwatch",
      [
        JSON.stringify({ awslogs: { data: "not base64!" } }),
        JSON.stringify({ awslogs: { data: Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString("base64") } }),
        JSON.stringify({ awslogs: { data: packed({ hello: "world" }) } }),
        JSON.stringify({ messageType: "DATA_MESSAGE", logEvents: "none" }),
      ].join("\n"),
    );
    expect(rejections).toEqual([
      "awslogs.data is not base64",
      expect.stringMatching(/^awslogs.data does not inflate/),
      "awslogs.data does not hold a CloudWatch Logs subscription message",
      expect.stringMatching(/^not a CloudWatch Logs subscription message: .*logEvents/),
    ]);
  });

  it("reads a Firehose record of a megabyte (more than the usual record limit) and stops a gzip bomb at the body limit", () => {
    const many = dataMessage(
      Array.from({ length: 2500 }, (_, i) => connect.replace("abf27092886e49a8a5c1922749736453", `bulk-${i}-${"x".repeat(300)}`)),
    );
    const big = JSON.stringify({ requestId: "r", records: [{ data: Buffer.from(JSON.stringify(many)).toString("base64") }] });
    expect(big.length).toBeGreaterThan(1_000_000);
    const read = readAsWebhook("cloudwatch", big);
    expect(read.rejections).toEqual([]);
    expect(read.events).toHaveLength(2500);

    const bomb = JSON.stringify({ awslogs: { data: gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)).toString("base64") } });
    expect(readAsWebhook("cloudwatch", bomb).rejections).toEqual([expect.stringMatching(/decompresses to more than 5242880 bytes/)]);
  });
});
