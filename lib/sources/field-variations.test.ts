import { describe, expect, it } from "vitest";
import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { createRecordProcessor } from "@/lib/ingest/record-processor.ts";
import { parseAwsRecord } from "./aws-iot.ts";
import { parseAzureRecord } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { getRecordFormat, type RecordFormat } from "./record-formats.ts";

/** The normalized facts of each event, or the rejection. */
function facts(result: AdapterResult) {
  if (!result.ok) return result.error;
  return result.events.map((e) => ({
    deviceId: e.deviceId,
    kind: e.kind,
    at: e.occurredAt.toISOString(),
    reason: e.reason,
    code: e.code,
    ip: e.clientIp,
    port: e.clientPort,
    sessionKey: e.sessionKey,
  }));
}

describe("AWS IoT presence fields as relays and exports write them", () => {
  const disconnected = {
    clientId: "dev 1/ü",
    timestamp: 1573002340451,
    eventType: "disconnected",
    sessionIdentifier: "s-1",
    clientInitiatedDisconnect: false,
    disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
    versionNumber: 4,
  };
  const expected = {
    deviceId: "dev 1/ü",
    kind: "disconnected",
    at: "2019-11-06T01:05:40.451Z",
    reason: "keepalive_timeout",
    code: "aws:MQTT_KEEP_ALIVE_TIMEOUT",
    ip: null,
    port: null,
    sessionKey: "dev 1/ü|s-1|4",
  };

  it("reads the timestamp in ms, in seconds, as digits or as ISO text, and numbers and booleans given as text", () => {
    expect(facts(parseAwsRecord(disconnected))).toEqual([expected]);
    expect(
      facts(parseAwsRecord({ ...disconnected, timestamp: "1573002340451", versionNumber: "4", clientInitiatedDisconnect: "false" })),
    ).toEqual([expected]);
    expect(facts(parseAwsRecord({ ...disconnected, timestamp: "2019-11-06T01:05:40.451Z" }))).toEqual([expected]);
    expect(facts(parseAwsRecord({ ...disconnected, timestamp: 1573002340 }))).toEqual([{ ...expected, at: "2019-11-06T01:05:40.000Z" }]);
    expect(facts(parseAwsRecord({ ...disconnected, timestamp: "yesterday" }))).toMatch(
      /timestamp: not a time \(epoch ms or s, or ISO 8601\): "yesterday"/,
    );
  });

  it("reads reason names in any case as the table's code, and an IPv6 address with a port", () => {
    expect(facts(parseAwsRecord({ ...disconnected, disconnectReason: "mqtt_keep_alive_timeout" }))).toEqual([expected]);
    const failed = {
      clientId: "dev-2",
      timestamp: 1460065214626,
      eventType: "connect_failed",
      connectFailureReason: "authorization_failed",
      ipAddress: "[2001:db8::1]:443",
    };
    expect(facts(parseAwsRecord(failed))).toEqual([
      expect.objectContaining({ code: "aws:AUTHORIZATION_FAILED", reason: "not_authorized", ip: "2001:db8::1", port: 443 }),
    ]);
    expect(facts(parseAwsRecord({ ...failed, ipAddress: "2001:db8::1" }))).toEqual([
      expect.objectContaining({ ip: "2001:db8::1", port: null }),
    ]);
  });
});

describe("AWSIotLogsV2 entries rewritten by a log pipeline", () => {
  it("reads an epoch timestamp and a port given as text", () => {
    const entry = {
      timestamp: 1502379443476,
      logLevel: "INFO",
      traceId: "t",
      accountId: "1",
      status: "Success",
      eventType: "Disconnect",
      protocol: "MQTT",
      clientId: "d",
      sourceIp: "205.251.233.181",
      sourcePort: "13490",
      disconnectReason: "client_initiated_disconnect",
    };
    expect(facts(parseAwsRecord(entry))).toEqual([
      expect.objectContaining({
        at: "2017-08-10T15:37:23.476Z",
        code: "aws:CLIENT_INITIATED_DISCONNECT",
        reason: "client_disconnect",
        port: 13490,
      }),
    ]);
  });
});

describe("EMQX webhook bodies from templates that quote every placeholder", () => {
  it("reads times, keepalive, protocol level and clean start given as text", () => {
    const body = {
      event: "client.connected",
      clientid: "c1",
      node: "emqx@10.0.0.1",
      connected_at: "1700000000123",
      timestamp: "1700000000125",
      keepalive: "60",
      proto_ver: "5",
      clean_start: "true",
      peername: "[2001:db8::5]:51234",
    };
    const result = parseEmqxMessage("", JSON.stringify(body));
    expect(facts(result)).toEqual([
      {
        deviceId: "c1",
        kind: "connected",
        at: "2023-11-14T22:13:20.123Z",
        reason: "connected",
        code: null,
        ip: "2001:db8::5",
        port: 51234,
        sessionKey: "emqx@10.0.0.1|c1|1700000000123",
      },
    ]);
    expect(result.ok && result.events[0]).toMatchObject({ keepaliveSec: 60, protocolVersion: 5, cleanStart: true });
  });

  it("reads times in seconds and reason atoms in another case", () => {
    const body = { event: "client.disconnected", clientid: "c1", disconnected_at: 1700000000, reason: "Keepalive_Timeout" };
    expect(facts(parseEmqxMessage("", JSON.stringify(body)))).toEqual([
      expect.objectContaining({ at: "2023-11-14T22:13:20.000Z", code: "emqx:keepalive_timeout", reason: "keepalive_timeout" }),
    ]);
  });
});

describe("Azure fields", () => {
  it("reads an Event Grid MQTT sequenceNumber given as digits and a reason in another case", () => {
    const event = {
      specversion: "1.0",
      id: "1",
      time: "2023-07-29T01:27:40.2446871Z",
      type: "Microsoft.EventGrid.MQTTClientSessionDisconnected",
      source: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/myns",
      subject: "clients/client1/sessions/session1",
      data: {
        namespaceName: "myns",
        clientAuthenticationName: "client1",
        clientSessionName: "session1",
        sequenceNumber: "7",
        disconnectionReason: "connectionlost",
      },
    };
    expect(facts(parseAzureRecord(event))).toEqual([
      expect.objectContaining({ code: "azure-egmqtt:ConnectionLost", reason: "connection_lost", sessionKey: "myns|client1|session1|7" }),
    ]);
  });

  it("keeps no message for an empty ResultDescription cell of a CSV export", () => {
    const row = {
      TimeGenerated: "2018-12-17T18:20:25Z",
      OperationName: "deviceConnect",
      Level: "Information",
      ResultType: "",
      ResultDescription: "",
      properties_s: '{"deviceId":"d1"}',
    };
    const result = parseAzureRecord(row);
    expect(result.ok && result.events[0]?.message).toBeNull();
  });
});

describe("device reports", () => {
  it("reads MQTT 5 reason codes in hex or decimal, and CONNACK and CRT codes given as text", () => {
    const codes = [{ reasonCode: "0x8E" }, { reasonCode: "142" }, { reasonCode: 142 }, { connackCode: "5" }, { crtCode: "0x140e" }].map(
      (fields) => {
        const result = parseDeviceReport({ deviceId: "d", occurredAt: "2023-11-14T22:13:20Z", ...fields });
        return result.ok ? result.events[0]?.code : result.error;
      },
    );
    expect(codes).toEqual(["mqtt5:0x8E", "mqtt5:0x8E", "mqtt5:0x8E", "connack:5", "crt:5134"]);
    expect(parseDeviceReport({ deviceId: "d", occurredAt: 1, reasonCode: "0x1FF" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("reasonCode: not a code from 0 to 255"),
    });
  });
});

describe("Log Analytics exports", () => {
  it("reads a row whose query projected DeviceId instead of keeping properties_s", () => {
    const row = {
      TimeGenerated: "2018-12-17T18:19:25Z",
      OperationName: "deviceDisconnect",
      Level: "Error",
      ResultType: "404104",
      DeviceId: "dev 7",
    };
    expect(facts(parseAzureRecord(row))).toEqual([
      expect.objectContaining({ deviceId: "dev 7", kind: "disconnected", code: "azure:404104" }),
    ]);
  });

  it("refuses a CSV export whose time column is in the portal's local time", () => {
    const row = {
      "TimeGenerated [Local Time]": "12/17/2018, 7:19:25.000 PM",
      OperationName: "deviceDisconnect",
      properties_s: '{"deviceId":"d"}',
    };
    expect(parseAzureRecord(row)).toEqual({ ok: false, error: expect.stringContaining("display time zone set to UTC") });
  });

  it("refuses a query API response (tables, columns, rows), saying what to send instead", () => {
    const response = {
      tables: [{ name: "PrimaryResult", columns: [{ name: "TimeGenerated", type: "datetime" }], rows: [["2018-12-17T18:19:25Z"]] }],
    };
    expect(parseAzureRecord(response)).toEqual({ ok: false, error: expect.stringContaining("az monitor log-analytics query") });
  });
});

describe("EMQX 4.x web_hook plugin bodies (`action`, no time on disconnects and CONNACKs)", () => {
  const receivedAt = new Date("2024-05-01T10:00:07.250Z");
  const processor = () => createRecordProcessor(getRecordFormat("emqx") as RecordFormat, "webhook:emqx", { receivedAt });
  const body = [
    {
      action: "client_connected",
      clientid: "c 1",
      username: "u",
      ipaddress: "10.0.0.9",
      keepalive: 60,
      proto_ver: 4,
      connected_at: 1714557600,
    },
    { action: "client_disconnected", clientid: "c 1", username: "u", reason: "keepalive_timeout" },
    {
      action: "client_connack",
      clientid: "c 2",
      username: "u",
      ipaddress: "10.0.0.9",
      keepalive: 60,
      proto_ver: 4,
      conn_ack: "not_authorized",
    },
    { action: "client_connack", clientid: "c 1", username: "u", ipaddress: "10.0.0.9", keepalive: 60, proto_ver: 4, conn_ack: "success" },
    { action: "session_subscribed", clientid: "c 1", username: "u", topic: "t", opts: { qos: 1 } },
  ];

  it("reads connects, disconnects and refused CONNACKs; the delivery time stands in for the missing time, flagged", () => {
    const webhook = processor();
    for (const record of body) webhook.pushJson({ ok: true, text: JSON.stringify(record) });
    const { events, deadLetters } = webhook.drain();
    expect(deadLetters).toEqual([]);
    expect(events.map((e) => [e.deviceId, e.kind, e.occurredAt.toISOString(), e.code, e.reason, e.clientIp, e.flags])).toEqual([
      ["c 1", "connected", "2024-05-01T10:00:00.000Z", null, "connected", "10.0.0.9", []],
      ["c 1", "disconnected", "2024-05-01T10:00:07.250Z", "emqx:keepalive_timeout", "keepalive_timeout", null, ["time_of_receipt"]],
      ["c 2", "connect_failed", "2024-05-01T10:00:07.250Z", "emqx:not_authorized", "not_authorized", "10.0.0.9", ["time_of_receipt"]],
    ]);
  });

  it("rejects a time-less body read from a file, saying why", () => {
    expect(parseEmqxMessage("", JSON.stringify(body[1]))).toEqual({ ok: false, error: expect.stringContaining("no delivery time") });
  });
});
