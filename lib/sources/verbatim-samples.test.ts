import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { splitJsonRecords } from "@/lib/ingest/json-record-splitter.ts";
import { parseUntrustedJson } from "./adapter-kit.ts";
import { parseAedesMessage } from "./aedes.ts";
import { parseAwsPresenceMessage, parseAwsRecord } from "./aws-iot.ts";
import { parseAzureConnectionsLog, parseAzureRecord, parseEventGridEvent, parseRoutedConnectionState } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";

// Every verbatim sample of shared/reference/lifecycle-formats.md, copied unchanged into ./fixtures/.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const json = (name: string) => {
  const parsed = parseUntrustedJson(fixture(name));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
function events(result: AdapterResult): ConnectionEvent[] {
  if (!result.ok) throw new Error(`expected events, got rejection: ${result.error}`);
  return result.events;
}
function one(result: AdapterResult): ConnectionEvent {
  const list = events(result);
  expect(list).toHaveLength(1);
  return list[0] as ConnectionEvent;
}

describe("AWS IoT Core (§1.2, §1.5)", () => {
  it("connected (current docs): versionNumber orders, sessionIdentifier ties the session", () => {
    const event = one(parseAwsPresenceMessage("$aws/events/presence/connected/186b5", fixture("aws/presence-connected-docs.json")));
    expect(event).toMatchObject({
      deviceId: "186b5",
      kind: "connected",
      reason: "connected",
      occurredAt: new Date(1573002230757),
      clientIp: "192.0.2.0",
      ordering: 0n,
      sessionKey: "186b5|00000000-0000-0000-0000-000000000000|0",
      source: "aws-iot",
    });
  });

  it("disconnected (current docs): CLIENT_INITIATED_DISCONNECT is a client disconnect with no contradiction", () => {
    const event = one(parseAwsPresenceMessage("$aws/events/presence/disconnected/186b5", fixture("aws/presence-disconnected-docs.json")));
    expect(event).toMatchObject({
      kind: "disconnected",
      reason: "client_disconnect",
      initiator: "client",
      code: "aws:CLIENT_INITIATED_DISCONNECT",
      ordering: 1n,
      flags: [],
      sessionKey: "186b5|00000000-0000-0000-0000-000000000000|0",
    });
  });

  it("connect_failed (note the space before the colon): AUTHORIZATION_FAILED", () => {
    const event = one(
      parseAwsPresenceMessage("$aws/events/presence/connect_failed/186b5", fixture("aws/presence-connect-failed-docs.json")),
    );
    expect(event).toMatchObject({
      kind: "connect_failed",
      reason: "not_authorized",
      initiator: "server",
      code: "aws:AUTHORIZATION_FAILED",
      clientIp: "192.0.2.0",
      occurredAt: new Date(1460065214626),
    });
  });

  it("older docs shape (no thingName, 32-hex sessionIdentifier), connected and disconnected", () => {
    const connected = one(parseAwsPresenceMessage(null, fixture("aws/presence-connected-old-docs.json")));
    const disconnected = one(parseAwsPresenceMessage(null, fixture("aws/presence-disconnected-old-docs.json")));
    expect(connected.sessionKey).toBe("186b5|a4666d2a7d844ae4ac5d7b38c9cb7967|0");
    expect(disconnected).toMatchObject({ sessionKey: connected.sessionKey, code: "aws:CLIENT_INITIATED_DISCONNECT" });
  });

  it("the subscribe/unsubscribe doc placeholder is not JSON and is rejected with the reason; a real one yields no connection event", () => {
    const placeholder = parseAwsPresenceMessage(null, fixture("aws/subscriptions-placeholder-docs.txt"));
    expect(placeholder).toMatchObject({ ok: false, error: expect.stringContaining("is not JSON") });
    const real = fixture("aws/subscriptions-placeholder-docs.txt").replace('"subscribed" | "unsubscribed"', '"subscribed"');
    expect(parseAwsPresenceMessage("$aws/events/subscriptions/subscribed/186b5", real)).toEqual({ ok: true, events: [] });
  });

  it("CloudWatch AWSIotLogsV2 Connect and Disconnect entries", () => {
    const connect = one(parseAwsRecord(json("aws/cloudwatch-connect-docs.json")));
    expect(connect).toMatchObject({
      kind: "connected",
      deviceId: "abf27092886e49a8a5c1922749736453",
      occurredAt: new Date("2017-08-10T15:37:23.476Z"),
      clientIp: "205.251.233.181",
      clientPort: 13490,
    });
    const disconnect = one(parseAwsRecord(json("aws/cloudwatch-disconnect-docs.json")));
    expect(disconnect).toMatchObject({ kind: "disconnected", reason: "client_disconnect", code: "aws:CLIENT_INITIATED_DISCONNECT" });
    expect(disconnect.dedupeKey).not.toBe(connect.dedupeKey);
  });

  it("flags clientInitiatedDisconnect:false with CLIENT_INITIATED_DISCONNECT instead of resolving it", () => {
    const text = fixture("aws/presence-disconnected-docs.json").replace(
      '"clientInitiatedDisconnect": true',
      '"clientInitiatedDisconnect": false',
    );
    expect(one(parseAwsPresenceMessage(null, text)).flags).toEqual(["client_initiated_contradiction"]);
  });
});

describe("Azure IoT Hub and Event Grid MQTT (§2)", () => {
  it("Event Grid schema DeviceConnected (array): module identity, hub, sequence-number ordering", () => {
    const [record] = splitJsonRecords(fixture("azure/event-grid-device-connected.json"));
    expect(record?.ok).toBe(true);
    const event = one(parseEventGridEvent((parseUntrustedJson(record?.text ?? "") as { value: unknown }).value));
    expect(event).toMatchObject({
      deviceId: "LogicAppTestDevice/DeviceModuleID",
      kind: "connected",
      brokerNode: "egtesthub1",
      occurredAt: new Date("2018-06-02T19:17:44.438Z"),
      source: "azure-iot-hub",
    });
    expect(event.ordering).toBe(0x01d4132452f67ce2n * 64n + 1n);
  });

  it("CloudEvents schema DeviceConnected reads the same as the Event Grid schema", () => {
    const eg = one(parseAzureRecord((json("azure/event-grid-device-connected.json") as unknown[])[0]));
    const ce = one(parseAzureRecord((json("azure/cloudevents-device-connected.json") as unknown[])[0]));
    expect(ce).toMatchObject({
      deviceId: eg.deviceId,
      kind: eg.kind,
      occurredAt: eg.occurredAt,
      ordering: eg.ordering,
      dedupeKey: eg.dedupeKey,
    });
  });

  it("DeviceDisconnected from the Java SDK (empty moduleId, empty dataVersion): no reason in Event Grid", () => {
    const event = one(parseAzureRecord((json("azure/event-grid-device-disconnected-java-sdk.json") as unknown[])[0]));
    expect(event).toMatchObject({
      deviceId: "48e44e11-1437-4907-83b1-4a8d7e89859e",
      kind: "disconnected",
      reason: "unknown",
      code: null,
      occurredAt: new Date("2018-07-03T23:20:52.646Z"),
    });
    expect(event.ordering).toBe(0x01d4132452f67ce2n * 64n + 2n);
  });

  it("routed deviceConnectionStateEvents (az iot hub monitor-events)", () => {
    const event = one(parseRoutedConnectionState(json("azure/routed-device-disconnected.json")));
    expect(event).toMatchObject({
      deviceId: "contoso-device-1",
      kind: "disconnected",
      brokerNode: "contoso-routing-hub",
      occurredAt: new Date("2022-06-01T18:43:04.556Z"),
    });
  });

  it("Connections log reference schema: properties as a JSON string; its time placeholder is rejected with the reason", () => {
    const records = (json("azure/monitor-connections-reference-schema.json") as { records: unknown[] }).records;
    expect(parseAzureConnectionsLog(records[0])).toMatchObject({ ok: false, error: expect.stringContaining("time is not a timestamp") });
    const withTime = { ...(records[0] as object), time: "2024-06-26T10:00:00Z" };
    expect(one(parseAzureConnectionsLog(withTime))).toMatchObject({ deviceId: "<deviceId>", kind: "connected", brokerNode: "Resource Id" });
  });

  it("Connections log tutorial: two concatenated objects, properties as an object; 404104 DeviceConnectionClosedRemotely", () => {
    const records = splitJsonRecords(fixture("azure/monitor-connections-tutorial-concatenated.txt"));
    expect(records).toHaveLength(2);
    const [connect, disconnect] = records.map((r) => one(parseAzureRecord((parseUntrustedJson(r.text) as { value: unknown }).value)));
    expect(connect).toMatchObject({
      deviceId: "Contoso-Test-Device",
      kind: "connected",
      brokerNode: "CONTOSOTESTHUB",
      clientIp: "73.162.215.XXX",
    });
    expect(disconnect).toMatchObject({
      kind: "disconnected",
      code: "azure:404104",
      reason: "connection_lost",
      message: "DeviceConnectionClosedRemotely",
      occurredAt: new Date("2018-12-17T18:19:25Z"),
    });
  });

  it("Event Grid MQTT broker: disconnected (Event Grid schema) and connected (CloudEvents) share a session and order", () => {
    const disconnected = one(parseEventGridEvent((json("azure/egmqtt-session-disconnected.json") as unknown[])[0]));
    const connected = one(parseEventGridEvent((json("azure/egmqtt-session-connected-cloudevents.json") as unknown[])[0]));
    expect(disconnected).toMatchObject({
      deviceId: "client1",
      kind: "disconnected",
      code: "azure-egmqtt:ClientInitiatedDisconnect",
      reason: "client_disconnect",
      initiator: "client",
      source: "azure-event-grid-mqtt",
    });
    expect(connected).toMatchObject({ deviceId: "client1", kind: "connected", sessionKey: disconnected.sessionKey });
    expect((connected.ordering ?? 0n) < (disconnected.ordering ?? 0n)).toBe(true);
  });
});

describe("Mosquitto 2.0.11 capture (§4.3, §4.4)", () => {
  function parseCapture(text: string, toLine: (line: string) => string = (l) => l) {
    const parser = createMosquittoLogParser({ brokerNode: "capture" });
    return text
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => events(parser.parseLine(toLine(line))));
  }
  const summary = (list: ConnectionEvent[]) => list.map((e) => `${e.kind} ${e.deviceId} ${e.code ?? ""}`.trim());

  it("the broker log file yields the right kinds, reasons and device IDs for all 15 scenarios", () => {
    const list = parseCapture(fixture("mosquitto/capture-2.0.11.log"));
    expect(summary(list)).toEqual([
      "connected dev-001",
      "disconnected dev-001 mosquitto:disconnected",
      "connected dev-002",
      "disconnected dev-002 mosquitto:disconnected",
      "connected dev-003",
      "disconnected dev-003 mosquitto:disconnected",
      "connect_failed <unknown>@127.0.0.1 mosquitto:not-authorised",
      "connect_failed <unknown>@127.0.0.1 mosquitto:not-authorised",
      "connect_failed <unknown>@127.0.0.1 mosquitto:not-authorised",
      "connected dev-ka",
      "disconnected dev-ka mosquitto:exceeded-timeout",
      "connected dev-abrupt",
      "disconnected dev-abrupt mosquitto:closed-connection",
      "connected dev-rst",
      "disconnected dev-rst mosquitto:closed-connection",
      "connected dev-double",
      "disconnected dev-double mosquitto:protocol-error",
      "connect_failed <unknown>@127.0.0.1 mosquitto:protocol-error",
      "connected dev-garbage",
      "disconnected dev-garbage mosquitto:protocol-error",
      "connected dev-dup",
      "disconnected dev-dup mosquitto:session-taken-over",
      "connected dev-dup",
      "disconnected dev-dup mosquitto:disconnected",
      "connected dev-dup5",
      "disconnected dev-dup5 mosquitto:session-taken-over",
      "connected dev-dup5",
      "disconnected dev-dup5 mosquitto:disconnected",
    ]);
    const auth = list.filter((e) => e.kind === "connect_failed");
    expect(auth.map((e) => e.clientPort)).toEqual([57668, 57670, 57676, 40428]);
    expect(auth[3]?.message).toContain("Invalid protocol version 7");
    const ka = list.find((e) => e.code === "mosquitto:exceeded-timeout");
    expect(ka).toMatchObject({
      reason: "keepalive_timeout",
      initiator: "network",
      keepaliveSec: 2,
      clientIp: "127.0.0.1",
      clientPort: 46298,
    });
    const takeover = list.find((e) => e.code === "mosquitto:session-taken-over");
    const firstDup = list.find((e) => e.deviceId === "dev-dup" && e.kind === "connected");
    expect(takeover).toMatchObject({ reason: "session_taken_over", sessionKey: firstDup?.sessionKey });
    const connected = list.find((e) => e.deviceId === "dev-002" && e.kind === "connected");
    expect(connected).toMatchObject({ protocolVersion: 5, username: "bob", cleanStart: true, keepaliveSec: 60 });
    // Lines of one second keep their order, so dev-001's disconnect sorts after its connect.
    const [c1, d1] = list;
    expect((d1?.occurredAt.getTime() ?? 0) > (c1?.occurredAt.getTime() ?? 0)).toBe(true);
    expect(new Set(list.map((e) => e.dedupeKey)).size).toBe(list.length);
  });

  it("the $SYS/broker/log capture (topic + payload lines) reads through the live parse path", () => {
    const parser = createMosquittoLogParser();
    const lines = fixture("mosquitto/sys-log-capture.txt").split("\n").filter(Boolean);
    // The capture also holds $SYS/broker/clients/* counters, which are not log lines and are refused.
    expect(parser.parse("$SYS/broker/clients/total", Buffer.from("1"))).toMatchObject({ ok: false });
    const list = lines
      .filter((line) => line.startsWith("$SYS/broker/log/"))
      .flatMap((line) => {
        const space = line.indexOf(" ");
        return events(parser.parse(line.slice(0, space), Buffer.from(line.slice(space + 1))));
      });
    expect(summary(list)).toEqual([
      "connected dev-001",
      "disconnected dev-001 mosquitto:disconnected",
      "connect_failed <unknown>@127.0.0.1 mosquitto:not-authorised",
      "disconnected dev-ka mosquitto:exceeded-timeout",
      "disconnected dev-abrupt mosquitto:closed-connection",
      "disconnected dev-double mosquitto:protocol-error",
      "connect_failed <unknown> mosquitto:protocol-error",
      "disconnected dev-dup mosquitto:session-taken-over",
    ]);
    // The excerpt lacks their "New client connected" lines: the disconnects are kept, flagged as without a session.
    expect(list.find((e) => e.deviceId === "dev-ka")?.flags).toEqual(["session_unknown"]);
  });

  it("reads the 1.x and 2.1.x line formats", () => {
    const parser = createMosquittoLogParser();
    const lines = [
      "1600000000: New connection from 10.0.0.5 on port 1883.",
      "1600000000: New client connected from 10.0.0.5 as old-dev (p2, c1, k30, u'x').",
      "1600000001: Socket error on client old-dev, disconnecting.",
      "1800000000: New connection from 10.0.0.6:4000 on port 1883.",
      "1800000000: New client connected from 10.0.0.6:4000 as new-dev (p5, c0, k60).",
      "1800000001: Client new-dev [10.0.0.6:4000] disconnected: session taken over.",
      "1800000002: New connection from 10.0.0.7:4001 on port 1883.",
      "1800000002: Client 10.0.0.7 [10.0.0.7:4001] disconnected: not authorised.",
      "1800000003: Client new-dev [10.0.0.6:4002] disconnected.",
    ];
    const list = lines.flatMap((l) => events(parser.parseLine(l)));
    expect(summary(list)).toEqual([
      "connected old-dev",
      "disconnected old-dev mosquitto:socket-error",
      "connected new-dev",
      "disconnected new-dev mosquitto:session-taken-over",
      "connect_failed <unknown>@10.0.0.7 mosquitto:not-authorised",
      "disconnected new-dev mosquitto:disconnected",
    ]);
    expect(list[0]).toMatchObject({ clientIp: "10.0.0.5", clientPort: null, protocolVersion: 4, username: "x" });
  });

  it("keeps its memory bounded", () => {
    const parser = createMosquittoLogParser({ maxTracked: 10 });
    for (let i = 0; i < 1000; i++) parser.parseLine(`1800000000: New connection from 10.0.${i >> 8}.${i & 255}:1 on port 1883.`);
    // Only the latest pending address is attributed; the 990 evicted ones are gone.
    const result = events(parser.parseLine("1800000001: Client <unknown> disconnected, not authorised."));
    expect(result[0]?.deviceId).toBe("<unknown>@10.0.3.231");
  });
});

describe("aedes (§5.1, §5.4)", () => {
  it("reads every $SYS publish line of the capture: plain-string client IDs, no reasons", () => {
    const lines = fixture("aedes/capture-1.2.0.txt")
      .split("\n")
      .filter((l) => l.includes(" publish $SYS/"));
    const list = lines.flatMap((line) => {
      const [time, , topic, payload] = line.split(" ");
      return events(
        parseAedesMessage(topic ?? "", Buffer.from(JSON.parse(payload ?? '""') as string), { receivedAt: new Date(time ?? "") }),
      );
    });
    expect(list.map((e) => `${e.kind} ${e.deviceId}`)).toEqual([
      "connected dev-001",
      "disconnected dev-001",
      "connected dev-ka",
      "disconnected dev-ka",
      "connected dev-abrupt",
      "disconnected dev-abrupt",
      "connected dev-dup",
      "disconnected dev-dup",
      "connected dev-dup",
      "disconnected dev-dup",
    ]);
    expect(list[3]).toMatchObject({ reason: "unknown", brokerNode: "broker-1", occurredAt: new Date("2026-11-22T10:58:45.745Z") });
  });
});

describe("HiveMQ event.log (§7)", () => {
  const stamp = (line: string) => `2024-05-01 10:00:00,123 - ${line}`;
  it("reads the Knowledge Base statements (with a logback timestamp added)", () => {
    const lines = fixture("hivemq/kb-event-log-statements.txt").split("\n").filter(Boolean);
    const list = lines.flatMap((l) => events(parseHivemqEventLine(stamp(l))));
    expect(list.map((e) => `${e.deviceId} ${e.code} ${e.reason}`)).toEqual([
      "abc hivemq:CONNECTION_LOST connection_lost",
      "abc hivemq:KEEP_ALIVE_TIMEOUT keepalive_timeout",
      "abc hivemq:SESSION_TAKEN_OVER session_taken_over",
      "abc hivemq:RECEIVE_MAXIMUM_EXCEEDED throttled",
      "abc hivemq:PROTOCOL_ERROR protocol_error",
    ]);
    expect(list[0]).toMatchObject({ clientIp: "x.x.x.x", occurredAt: new Date("2024-05-01T10:00:00.123Z") });
  });

  it("reads the source format strings: connected, graceful with a reason, ungraceful with listener, takeover with double period", () => {
    const list = [
      "Client ID: dev-1, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.",
      "Client ID: dev-1, IP: 10.0.0.1 disconnected gracefully. Reason given by client: bye",
      "Client ID: dev-1, IP: 10.0.0.1 disconnected ungracefully from tcp-listener on port: 1883.",
      "Client ID: dev-1, IP: 10.0.0.1 was disconnected. reason: Another client connected with the same client id..",
      "Client ID: dev-1, IP: 10.0.0.1 was disconnected. reason: Authentication failed.",
    ].flatMap((l) => events(parseHivemqEventLine(stamp(l))));
    expect(list.map((e) => `${e.kind} ${e.code ?? ""} ${e.message ?? ""}`.trim())).toEqual([
      "connected",
      "disconnected hivemq:NORMAL_DISCONNECTION bye",
      "disconnected hivemq:CONNECTION_LOST",
      "disconnected hivemq:SESSION_TAKEN_OVER Another client connected with the same client id",
      "connect_failed hivemq:AUTHENTICATION_FAILED Authentication failed",
    ]);
  });
});

describe("device-reported errors (§1.6, §4.7, §9)", () => {
  const report = (error: string, extra: object = {}) =>
    one(parseDeviceReport({ deviceId: "d1", occurredAt: "2026-11-22T10:00:00Z", error, ...extra }));
  it.each([
    [
      "MQTT Connection interrupted with error: `libaws-c-mqtt: AWS_ERROR_MQTT_UNEXPECTED_HANGUP, The connection was closed unexpectedly.`",
      "crt:5134",
      "connection_lost",
    ],
    [
      "Connection interrupted with error libaws-c-mqtt: AWS_ERROR_MQTT_UNEXPECTED_HANGUP, The connection was closed unexpectedly.",
      "crt:5134",
      "connection_lost",
    ],
    [
      "Connection interrupted: Error: libaws-c-mqtt: AWS_ERROR_MQTT_UNEXPECTED_HANGUP, The connection was closed unexpectedly.",
      "crt:5134",
      "connection_lost",
    ],
    [
      "AwsCrtError(name='AWS_ERROR_MQTT_UNEXPECTED_HANGUP', message='The connection was closed unexpectedly.', code=5134)",
      "crt:5134",
      "connection_lost",
    ],
    ["aws-c-io: AWS_IO_TLS_CERTIFICATE_EXPIRED, Channel shutdown due to tls certificate expired.", "crt:1183", "tls_error"],
    ["Connection error: Connection Refused: not authorised.", "libmosquitto:connection-refused-not-authorised", "not_authorized"],
    [
      "Connection error: Connection Refused: bad user name or password.",
      "libmosquitto:connection-refused-bad-user-name-or-password",
      "auth_failed",
    ],
    [
      "mqtt: SERVER: The connection was closed because MQTT keep-alive check failed.",
      "gcp-iot:the-connection-was-closed-because-mqtt-keep-alive-check-failed",
      "keepalive_timeout",
    ],
    [
      "SERVER: The connection was closed because there is another active connection with the same device ID.",
      "gcp-iot:the-connection-was-closed-because-there-is-another-active-connection-with-the-same-device-id",
      "session_taken_over",
    ],
    [
      "SERVER: The connection is closed because the server is shutting down.",
      "gcp-iot:the-connection-is-closed-because-the-server-is-shutting-down",
      "server_shutdown",
    ],
    ["[16] mqtt: SERVER: The authorization token expired.", "gcp-iot:the-authorization-token-expired", "credential_expired"],
    ["The connection broke or was closed by client", "gcp-iot:the-connection-broke-or-was-closed-by-client", "connection_lost"],
  ])("%s → %s", (error, code, reason) => {
    expect(report(error)).toMatchObject({ kind: "device_report", code, reason, message: error });
  });

  it("numeric codes: CRT number, CONNACK return code, MQTT 5 reason code; ClearBlade namespace by platform", () => {
    expect(one(parseDeviceReport({ deviceId: "d", occurredAt: 1, crtCode: 5134 }))).toMatchObject({
      code: "crt:5134",
      message: "AWS_ERROR_MQTT_UNEXPECTED_HANGUP",
    });
    expect(one(parseDeviceReport({ deviceId: "d", occurredAt: 1, connackCode: 5 }))).toMatchObject({
      code: "connack:5",
      reason: "not_authorized",
    });
    expect(one(parseDeviceReport({ deviceId: "d", occurredAt: 1, reasonCode: 0x8e }))).toMatchObject({
      code: "mqtt5:0x8E",
      reason: "session_taken_over",
    });
    expect(report("SERVER: The authorization token expired.", { platform: "clearblade" }).code).toBe(
      "clearblade:the-authorization-token-expired",
    );
  });

  it("the Google Cloud Logging entry and the ClearBlade resource schema are not JSON: rejected with the reason", () => {
    expect(parseUntrustedJson(fixture("gcp-iot/cloud-logging-disconnect.txt"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("is not JSON"),
    });
    expect(parseUntrustedJson(fixture("clearblade/device-resource-schema.txt"))).toMatchObject({ ok: false });
  });
});
