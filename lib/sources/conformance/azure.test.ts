import { describe, expect, it } from "vitest";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { readAsWebhook } from "./read-as-webhook.ts";

// lifecycle-formats.md §2: IoT Hub error codes in the Connections log, C SDK statuses, Event Grid MQTT reasons.

/** §2.4: each code's meaning in the canonical taxonomy. 401003 is authentication (often the SAS renewal), never network. */
const IOT_HUB_CODES: ReadonlyArray<readonly [string, Reason, Initiator]> = [
  ["400027", "session_taken_over", "server"],
  ["400029", "server_shutdown", "server"],
  ["400030", "server_shutdown", "server"],
  ["401000", "auth_failed", "server"],
  ["401002", "not_authorized", "server"],
  ["401003", "auth_failed", "server"],
  ["403002", "quota_exceeded", "server"],
  ["403004", "quota_exceeded", "server"],
  ["403006", "quota_exceeded", "server"],
  ["403012", "not_authorized", "server"],
  ["404001", "not_authorized", "server"],
  ["404103", "connection_lost", "unknown"],
  ["404104", "connection_lost", "unknown"],
  ["409002", "session_taken_over", "server"],
  ["412002", "protocol_error", "server"],
  ["429001", "throttled", "server"],
  ["429002", "throttled", "server"],
  ["429003", "throttled", "server"],
  ["429005", "throttled", "server"],
  ["500001", "server_error", "server"],
  ["500008", "server_error", "server"],
  ["503001", "server_error", "server"],
  ["503003", "server_error", "server"],
  ["503005", "throttled", "server"],
  ["503008", "throttled", "server"],
  ["504101", "server_error", "server"],
];

const record = (operationName: string, extra: object) => ({
  time: "2018-12-17T18:19:25Z",
  resourceId: "/SUBSCRIPTIONS/s/RESOURCEGROUPS/CONTOSORESOURCES/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/CONTOSOTESTHUB",
  operationName,
  category: "Connections",
  level: "Error",
  properties: { deviceId: "Contoso-Test-Device", protocol: "Mqtt", authType: null, maskedIpAddress: "73.162.215.XXX", statusCode: "404" },
  location: "westus",
  ...extra,
});

describe("IoT Hub error codes (§2.4) in the Connections resource log (§2.3)", () => {
  it.each(IOT_HUB_CODES)("%s on deviceDisconnect → %s (%s); on deviceConnect a refused connect", (code, reason, initiator) => {
    const disconnect = record("deviceDisconnect", { resultType: code, resultDescription: "X" });
    // Log Analytics keeps properties as a JSON string (properties_s), the storage export as an object: both read alike.
    const connect = record("deviceConnect", {
      resultType: Number(code),
      time: "2018-12-17T18:19:26.1234567Z",
      properties: JSON.stringify(disconnect.properties),
    });
    const { events, rejections } = readAsWebhook("azure-iot-hub", JSON.stringify({ records: [disconnect, connect] }));
    expect(rejections).toEqual([]);
    const common = { deviceId: "Contoso-Test-Device", reason, initiator, code: `azure:${code}`, ip: "73.162.215.XXX" };
    expect(events).toMatchObject([
      { ...common, kind: "disconnected", at: "2018-12-17T18:19:25.000Z" },
      { ...common, kind: "connect_failed", at: "2018-12-17T18:19:26.123Z" },
    ]);
  });

  it("an Information deviceDisconnect (the SDK's token renewal, a clean close) is a client disconnect without a code", () => {
    const { events } = readAsWebhook("azure-iot-hub", JSON.stringify(record("deviceDisconnect", { level: "Information" })));
    expect(events).toMatchObject([{ kind: "disconnected", reason: "client_disconnect", initiator: "client", code: null }]);
  });
});

/** §2.6 disconnectionReason. */
const EVENT_GRID_MQTT_REASONS: ReadonlyArray<readonly [string, Reason, Initiator]> = [
  ["ClientAuthenticationError", "auth_failed", "server"],
  ["ClientAuthorizationError", "not_authorized", "server"],
  ["ClientError", "protocol_error", "server"],
  ["ClientInitiatedDisconnect", "client_disconnect", "client"],
  ["ConnectionLost", "connection_lost", "network"],
  ["IpForbidden", "not_authorized", "server"],
  ["QuotaExceeded", "throttled", "server"],
  ["ServerError", "server_error", "server"],
  ["ServerInitiatedDisconnect", "server_shutdown", "server"],
  ["SessionOverflow", "quota_exceeded", "server"],
  ["SessionTakenOver", "session_taken_over", "server"],
];

describe("Event Grid MQTT broker disconnectionReason values (§2.6)", () => {
  const event = (type: string, data: object) => ({
    id: "e30e5174-787d-4e19-8812-580148bfcf7b",
    eventTime: "2023-07-29T01:27:40.2446871Z",
    eventType: `Microsoft.EventGrid.MQTTClientSession${type}`,
    topic: "/subscriptions/0/resourceGroups/myrg/providers/Microsoft.EventGrid/namespaces/myns",
    subject: "clients/client1/sessions/session1",
    dataVersion: "1",
    metadataVersion: "1",
    data: { namespaceName: "myns", clientAuthenticationName: "client1", clientSessionName: "session1", sequenceNumber: 4, ...data },
  });
  it.each(EVENT_GRID_MQTT_REASONS)("%s → %s (%s), closing the session its Connected opened", (name, reason, initiator) => {
    const { events } = readAsWebhook(
      "azure-event-grid",
      JSON.stringify([event("Connected", {}), event("Disconnected", { disconnectionReason: name })]),
    );
    const sessionKey = "myns|client1|session1|4";
    expect(events).toMatchObject([
      { kind: "connected", sessionKey, ordering: 8n },
      { kind: "disconnected", reason, initiator, code: `azure-egmqtt:${name}`, sessionKey, ordering: 9n, at: "2023-07-29T01:27:40.244Z" },
    ]);
  });

  it.each([
    ["empty", ""],
    ["blank", "  "],
    ["absent", undefined],
  ])("an %s disconnectionReason is no code: the reason is unknown, and the session still closes", (_, disconnectionReason) => {
    const { events } = readAsWebhook("azure-event-grid", JSON.stringify(event("Disconnected", { disconnectionReason })));
    expect(events).toMatchObject([
      { kind: "disconnected", reason: "unknown", initiator: "unknown", code: null, sessionKey: "myns|client1|session1|4" },
    ]);
  });
});
