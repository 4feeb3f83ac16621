import { describe, expect, it } from "vitest";
import { createDiagnosticsCollector } from "@/lib/agent/diagnostics-collector.ts";
import { AGENT_FORMAT_VERSION, AGENT_REPORT_FORMAT, buildAgentReportTopic, type AgentReport } from "@/lib/agent/export-format.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsCloudWatchEntry, parseAwsPresenceMessage } from "./aws-iot.ts";
import { parseAzureConnectionsLog, parseEventGridEvent } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";
import { parseLinkscopeAgentMessage } from "./linkscope-agent.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";
import { normalizeVendorWords, recogniseRateLimiting } from "./rate-limit-reasons.ts";
import { mapVendorCode } from "./vendor-codes.ts";

type Expected = "throttled" | "quota_exceeded";

function only(result: AdapterResult): ConnectionEvent {
  if (!result.ok) throw new Error(result.error);
  const [event] = result.events;
  if (!event || result.events.length !== 1) throw new Error(`expected one event, got ${result.events.length}`);
  return event;
}

/**
 * Every throttling, quota and message-rate code and phrase in lifecycle-formats.md, copied from the reference (not
 * from the code table), with the canonical reason it must be stored with.
 */
const REFERENCE_CODES: ReadonlyArray<readonly [code: string, expected: Expected, where: string]> = [
  ["aws:THROTTLED", "throttled", "§1.4"],
  ["azure:403002", "quota_exceeded", "§2.4 IotHubQuotaExceeded"],
  ["azure:403004", "quota_exceeded", "§2.4 DeviceMaximumQueueDepthExceeded"],
  ["azure:403006", "quota_exceeded", "§2.4 DeviceMaximumActiveFileUploadLimitExceeded"],
  ["azure:429001", "throttled", "§2.4 ThrottlingException"],
  ["azure:429002", "throttled", "§2.4 ThrottleBacklogLimitExceeded"],
  ["azure:429003", "throttled", "§2.4 ThrottlingBacklogTimeout"],
  ["azure:429005", "throttled", "§2.4 DeviceThrottlingLimitExceeded"],
  ["azure:503005", "throttled", "§2.4 ServerBusy"],
  ["azure:503008", "throttled", "§2.4 ReceiveLinkOpensThrottled"],
  ["azure-egmqtt:QuotaExceeded", "throttled", "§2.6 Throttling limits exceeded"],
  ["azure-egmqtt:SessionOverflow", "quota_exceeded", "§2.6 queue of unacknowledged messages hit its limit"],
  ["emqx:quota_exceeded", "quota_exceeded", "§3.2/3.3"],
  ["emqx:message_rate_too_high", "throttled", "§3.3"],
  ["emqx:connection_rate_exceeded", "throttled", "§3.2"],
  ["emqx:server_busy", "throttled", "§3.2"],
  ["emqx:receive_maximum_exceeded", "throttled", "§3.3"],
  ["mosquitto:quota-exceeded", "quota_exceeded", "§4.1 2.1"],
  ["mosquitto:connection-rate-exceeded", "throttled", "§4.1 2.1"],
  ["mosquitto:server-busy", "throttled", "§4.1 2.1"],
  ["mosquitto:receive-maximum-exceeded", "throttled", "§4.1 2.1"],
  ["mosquitto:max-connections-exceeded", "throttled", "§4.1 max_connections exceeded"],
  ["aedes:client-queue-limit-reached", "quota_exceeded", "§5.2 Client queue limit reached"],
  ["mqtt5:0x89", "throttled", "§6.2 Server busy"],
  ["mqtt5:0x93", "throttled", "§6.2 Receive Maximum exceeded (too many in-flight)"],
  ["mqtt5:0x96", "throttled", "§6.2 Message rate too high"],
  ["mqtt5:0x97", "quota_exceeded", "§6.2 Quota exceeded"],
  ["mqtt5:0x9F", "throttled", "§6.2 Connection rate exceeded"],
  ["hivemq:RECEIVE_MAXIMUM_EXCEEDED", "throttled", "§7 Sent too many concurrent PUBLISH messages"],
  ["hivemq:MESSAGE_RATE_TOO_HIGH", "throttled", "§6.2 name variants (HiveMQ enums)"],
  ["hivemq:QUOTA_EXCEEDED", "quota_exceeded", "§6.2 name variants (HiveMQ enums)"],
  ["hivemq:SERVER_BUSY", "throttled", "§6.2 name variants (HiveMQ enums)"],
  ["crt:5139", "quota_exceeded", "§1.6 MQTT request queue is full"],
  ["clearblade:reconnected-too-quickly", "throttled", "§8 rapid reconnections"],
];

/** The phrases the reference uses for rate limiting, verbatim, including names written as words. */
const REFERENCE_PHRASES: ReadonlyArray<readonly [text: string, expected: Expected]> = [
  ["A throttling limit was exceeded", "throttled"],
  ["Too many publishes, connects or subscriptions per second for the account or connection", "throttled"],
  ["Daily message quota exceeded", "quota_exceeded"],
  ["IotHubQuotaExceeded", "quota_exceeded"],
  ["Too many cloud-to-device messages queued for the device", "quota_exceeded"],
  ["DeviceMaximumQueueDepthExceeded", "quota_exceeded"],
  ["DeviceMaximumActiveFileUploadLimitExceeded", "quota_exceeded"],
  ["Number of active file upload requests cannot exceed 10", "quota_exceeded"],
  ["ThrottlingException", "throttled"],
  ["Throttling limit exceeded for too long", "throttled"],
  ["ThrottleBacklogLimitExceeded", "throttled"],
  ["The throttled backlog is full", "throttled"],
  ["ThrottlingBacklogTimeout", "throttled"],
  ["DeviceThrottlingLimitExceeded", "throttled"],
  ["Per-device throttle exceeded", "throttled"],
  ["ServerBusy", "throttled"],
  ["ReceiveLinkOpensThrottled", "throttled"],
  ["Too many link opens or reconnects", "throttled"],
  ["QuotaExceeded", "quota_exceeded"],
  ["Throttling limits exceeded", "throttled"],
  ["SessionOverflow", "quota_exceeded"],
  ["The queue of unacknowledged QoS 1 messages hit its limit", "quota_exceeded"],
  ["quota_exceeded", "quota_exceeded"],
  ["message_rate_too_high", "throttled"],
  ["connection_rate_exceeded", "throttled"],
  ["server_busy", "throttled"],
  ["Client connection from 10.0.0.1 denied: max_connections exceeded.", "throttled"],
  ["quota exceeded.", "quota_exceeded"],
  ["connection rate exceeded.", "throttled"],
  ["server busy.", "throttled"],
  ["receive maximum exceeded.", "throttled"],
  ["Client queue limit reached", "quota_exceeded"],
  ["Server busy", "throttled"],
  ["Receive Maximum exceeded", "throttled"],
  ["Message rate too high", "throttled"],
  ["Rate limiting → slow down", "throttled"],
  ["Quota exceeded", "quota_exceeded"],
  ["Connection rate exceeded", "throttled"],
  ["MESSAGE_RATE_TOO_HIGH", "throttled"],
  ["Sent too many concurrent PUBLISH messages", "throttled"],
  ["MQTT request queue is full.", "quota_exceeded"],
  ["ClearBlade rate-limits rapid reconnections", "throttled"],
];

/** Reference texts with "exceeded", "limit", "too" or "maximum" that are not rate limiting. */
const NOT_RATE_LIMITING = [
  "Packet size exceeds the maximum allowed limit",
  "dropped after 429.7 s connected: read ECONNRESET",
  "Client meter-4297 disconnected.",
  "Client dev-ka has exceeded timeout, disconnecting.",
  "exceeded timeout.",
  "keep alive limit exceeded",
  "Keepalive exceeded",
  "Time limit between request and response has been exceeded.",
  "Retry cannot be attempted because the maximum number of retries has been exceeded.",
  "Remote endpoint did not respond to a PINGREQ before timeout exceeded",
  "The client broke a protocol rule or limit (for example a second CONNECT on one connection, or a payload over the size limit)",
  "Client was idle for too long",
  "Packet too large",
  "frame_too_large",
  "oversize packet.",
  "Maximum connect time",
  "A 20-minute idle limit applies regardless of keep-alive",
  'Unable to accept new connection, system socket count has been exceeded. Try increasing "ulimit -n" or equivalent.',
  "Encoded UTF-8 buffers may be no bigger than 65535 bytes.",
  "Connection reset by peer",
  "The connection was closed unexpectedly.",
];

describe("rate limiting stated in codes (lifecycle-formats.md)", () => {
  it.each(REFERENCE_CODES)("%s is %s (%s)", (code, expected) => {
    expect(mapVendorCode(code)).toEqual({ reason: expected, initiator: code === "crt:5139" ? "client" : "server" });
  });
});

describe("rate limiting stated in words", () => {
  it.each(REFERENCE_PHRASES)("%s → %s", (text, expected) => {
    expect(recogniseRateLimiting(text)).toBe(expected);
  });
  it.each(NOT_RATE_LIMITING)("%s is not rate limiting", (text) => {
    expect(recogniseRateLimiting(text)).toBeNull();
  });
  it("an unknown or catch-all code defers to the text; a specific code does not", () => {
    expect(mapVendorCode("device:whatever", "Rate limit exceeded")).toEqual({ reason: "throttled", initiator: "server" });
    expect(mapVendorCode("mqtt5:0x83", "message rate too high")).toEqual({ reason: "throttled", initiator: "server" });
    expect(mapVendorCode("emqx:message_rate_exceeded")).toEqual({ reason: "throttled", initiator: "server" });
    expect(mapVendorCode("mqtt5:0x8E", "quota exceeded")).toEqual({ reason: "session_taken_over", initiator: "server" });
    expect(mapVendorCode("device:whatever", "Connection reset by peer")).toEqual({ reason: "unknown", initiator: "unknown" });
  });
});

describe("every adapter stores rate limiting as throttled or quota_exceeded", () => {
  it("Mosquitto 2.1 reason texts, 2.0 max_connections, and a reason text no version prints yet", () => {
    const parser = createMosquittoLogParser({ brokerNode: "b1" });
    const line = (text: string) => only(parser.parseLine(`1795345068: ${text}`));
    expect(line("Client dev-q [10.0.0.1:50000] disconnected: quota exceeded.")).toMatchObject({
      code: "mosquitto:quota-exceeded",
      reason: "quota_exceeded",
    });
    expect(line("Client dev-r [10.0.0.1:50001] disconnected: connection rate exceeded.")).toMatchObject({
      code: "mosquitto:connection-rate-exceeded",
      reason: "throttled",
    });
    expect(line("Client dev-b [10.0.0.1:50002] disconnected: server busy.")).toMatchObject({
      code: "mosquitto:server-busy",
      reason: "throttled",
    });
    expect(line("Client dev-m [10.0.0.1:50003] disconnected: receive maximum exceeded.")).toMatchObject({
      code: "mosquitto:receive-maximum-exceeded",
      reason: "throttled",
    });
    expect(line("Client connection from 10.0.0.9 denied: max_connections exceeded.")).toMatchObject({
      kind: "connect_failed",
      reason: "throttled",
    });
    expect(line("Client dev-x [10.0.0.1:50004] disconnected: message rate too high.")).toMatchObject({
      reason: "throttled",
      initiator: "server",
    });
    expect(line("Client dev-y disconnected: Message rate limit exceeded.")).toMatchObject({ reason: "throttled" });
    expect(line("Client dev-z disconnected due to message rate too high.")).toMatchObject({
      code: "mosquitto:message-rate-too-high",
      reason: "throttled",
    });
    // The client ID is not the reason: only the reason text is read.
    expect(line("Client quota-meter-7 [10.0.0.1:50005] disconnected: Connection reset by peer.")).toMatchObject({
      code: "mosquitto:errno",
      reason: "connection_lost",
    });
  });

  it("HiveMQ event.log reason texts", () => {
    const line = (reason: string) =>
      only(parseHivemqEventLine(`2024-05-01 10:00:00,123 - Client ID: abc, IP: 10.0.0.1 was disconnected. reason: ${reason}`));
    expect(line("Sent too many concurrent PUBLISH messages.")).toMatchObject({
      code: "hivemq:RECEIVE_MAXIMUM_EXCEEDED",
      reason: "throttled",
      initiator: "server",
    });
    expect(line("Message rate too high.")).toMatchObject({
      code: "hivemq:MESSAGE_RATE_TOO_HIGH",
      reason: "throttled",
      message: "Message rate too high",
    });
    expect(line("Quota exceeded.")).toMatchObject({ code: "hivemq:QUOTA_EXCEEDED", reason: "quota_exceeded" });
    expect(line("Server busy.")).toMatchObject({ code: "hivemq:SERVER_BUSY", reason: "throttled" });
    expect(line("Publish rate limit exceeded for this client.")).toMatchObject({ code: "hivemq:UNKNOWN", reason: "throttled" });
    expect(line("Something unheard of.")).toMatchObject({ code: "hivemq:UNKNOWN", reason: "unknown" });
  });

  it("EMQX reason atoms, CONNACK names, unknown atoms and a DISCONNECT Reason-String", () => {
    const disconnected = (reason: string, extra: object = {}) =>
      only(
        parseEmqxMessage(
          "$SYS/brokers/emqx@127.0.0.1/clients/dev/disconnected",
          JSON.stringify({ clientid: "dev", reason, connected_at: 1, disconnected_at: 2, ...extra }),
        ),
      );
    const connack = (reasonCode: string) =>
      only(parseEmqxMessage("$events/client_connack", JSON.stringify({ clientid: "dev", reason_code: reasonCode, timestamp: 3 })));
    for (const atom of ["message_rate_too_high", "connection_rate_exceeded", "server_busy", "receive_maximum_exceeded"])
      expect(disconnected(atom).reason, atom).toBe("throttled");
    expect(disconnected("quota_exceeded").reason).toBe("quota_exceeded");
    expect(connack("quota_exceeded")).toMatchObject({ kind: "connect_failed", reason: "quota_exceeded" });
    expect(connack("connection_rate_exceeded")).toMatchObject({ kind: "connect_failed", reason: "throttled" });
    expect(connack("server_busy")).toMatchObject({ kind: "connect_failed", reason: "throttled" });
    expect(disconnected("rate_limited")).toMatchObject({ code: "emqx:rate_limited", reason: "throttled" });
    expect(
      disconnected("implementation_specific_error", { disconn_props: { "Reason-String": "Message rate limit exceeded" } }),
    ).toMatchObject({ reason: "throttled", message: "Message rate limit exceeded" });
  });

  it("AWS IoT presence and CloudWatch entries", () => {
    const presence = only(
      parseAwsPresenceMessage(
        null,
        JSON.stringify({
          clientId: "d",
          timestamp: 1,
          eventType: "disconnected",
          sessionIdentifier: "s",
          principalIdentifier: "p",
          clientInitiatedDisconnect: false,
          disconnectReason: "THROTTLED",
          versionNumber: 1,
        }),
      ),
    );
    expect(presence).toMatchObject({ code: "aws:THROTTLED", reason: "throttled", initiator: "server" });
    const cloudWatch = {
      timestamp: "2017-08-10 15:37:23.476",
      logLevel: "ERROR",
      traceId: "t",
      accountId: "1",
      protocol: "MQTT",
      clientId: "d",
      principalId: "p",
      sourceIp: "10.0.0.1",
      sourcePort: 1,
    };
    expect(
      only(parseAwsCloudWatchEntry({ ...cloudWatch, status: "Success", eventType: "Disconnect", disconnectReason: "THROTTLED" })),
    ).toMatchObject({ reason: "throttled" });
    expect(
      only(
        parseAwsCloudWatchEntry({
          ...cloudWatch,
          status: "Failure",
          eventType: "Connect",
          details: "Connection rate limit exceeded for this client",
        }),
      ),
    ).toMatchObject({ kind: "connect_failed", code: "aws:Failure", reason: "throttled" });
  });

  it("Azure IoT Hub Connections log, by code and by description, and the Event Grid MQTT broker", () => {
    const log = (resultType: string | null, resultDescription: string) =>
      only(
        parseAzureConnectionsLog({
          time: "2026-11-22T10:00:00Z",
          operationName: "deviceDisconnect",
          category: "Connections",
          level: "Error",
          resultType,
          resultDescription,
          properties: { deviceId: "d" },
        }),
      );
    for (const [code, name] of [
      ["429001", "ThrottlingException"],
      ["429002", "ThrottleBacklogLimitExceeded"],
      ["429003", "ThrottlingBacklogTimeout"],
      ["429005", "DeviceThrottlingLimitExceeded"],
      ["503005", "ServerBusy"],
      ["503008", "ReceiveLinkOpensThrottled"],
    ] as const) {
      expect(log(code, name).reason, code).toBe("throttled");
    }
    for (const [code, name] of [
      ["403002", "IotHubQuotaExceeded"],
      ["403004", "DeviceMaximumQueueDepthExceeded"],
      ["403006", "DeviceMaximumActiveFileUploadLimitExceeded"],
    ] as const) {
      expect(log(code, name).reason, code).toBe("quota_exceeded");
    }
    expect(log("429004", "ThrottlingMaxActiveJobCountExceeded")).toMatchObject({ code: "azure:429004", reason: "throttled" });
    expect(log(null, "IotHubQuotaExceeded")).toMatchObject({ reason: "quota_exceeded" });
    const egmqtt = (disconnectionReason: string) =>
      only(
        parseEventGridEvent({
          eventType: "Microsoft.EventGrid.MQTTClientSessionDisconnected",
          eventTime: "2026-11-22T10:00:00Z",
          data: { namespaceName: "ns", clientAuthenticationName: "c1", clientSessionName: "s1", sequenceNumber: 1, disconnectionReason },
        }),
      );
    expect(egmqtt("QuotaExceeded").reason).toBe("throttled");
    expect(egmqtt("SessionOverflow").reason).toBe("quota_exceeded");
    expect(egmqtt("RateLimited").reason).toBe("throttled");
  });

  it("device reports: MQTT 5 reason codes, their printed names, CRT and aedes errors, free text", () => {
    const report = (fields: object) => only(parseDeviceReport({ deviceId: "d", occurredAt: "2026-11-22T10:00:00Z", ...fields }));
    for (const [code, expected] of [
      [0x89, "throttled"],
      [0x93, "throttled"],
      [0x96, "throttled"],
      [0x97, "quota_exceeded"],
      [0x9f, "throttled"],
    ] as const)
      expect(report({ reasonCode: code }).reason, String(code)).toBe(expected);
    expect(report({ error: "Connection error: Quota exceeded" })).toMatchObject({ code: "mqtt5:0x97", reason: "quota_exceeded" });
    expect(report({ error: "Connection error: Connection rate exceeded" })).toMatchObject({ code: "mqtt5:0x9F", reason: "throttled" });
    expect(report({ error: "Connection error: Not authorized" })).toMatchObject({ code: "mqtt5:0x87", reason: "not_authorized" });
    expect(report({ error: "libaws-c-mqtt: AWS_ERROR_MQTT_QUEUE_FULL, MQTT request queue is full." })).toMatchObject({
      code: "crt:5139",
      reason: "quota_exceeded",
    });
    expect(report({ error: "Client queue limit reached", platform: "aedes" })).toMatchObject({
      code: "aedes:client-queue-limit-reached",
      reason: "quota_exceeded",
    });
    expect(report({ error: "publish rejected: rate limit exceeded (100 msg/s)" })).toMatchObject({ reason: "throttled" });
  });

  it("Linkscope agent reports: server DISCONNECT codes, refused CONNACKs and error messages", () => {
    let t = Date.UTC(2026, 10, 22, 10, 0, 0);
    const config = {
      keepaliveSec: 60,
      initialReconnectDelayMs: 500,
      maxReconnectDelayMs: 60_000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 200,
    };
    const collector = createDiagnosticsCollector({ deviceId: "d", agentId: "a1", config, maxEventsRetained: 100, now: () => t });
    const reports: AgentReport[] = [];
    collector.onEvent((report) =>
      reports.push({
        format: AGENT_REPORT_FORMAT,
        version: AGENT_FORMAT_VERSION,
        deviceId: "d",
        agentId: "a1",
        sentAt: new Date(t).toISOString(),
        report,
        metrics: collector.getMetrics(),
      }),
    );
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    t += 60_000;
    collector.recordDrop({
      errorName: "SERVER_DISCONNECT",
      errorCode: 0x96,
      errorMessage: "server sent DISCONNECT",
      reconnectAttempt: 0,
      activeSubscriptions: 0,
      queuedCommands: 0,
      mqtt5ReasonCode: 0x96,
    });
    t += 1_000;
    collector.recordConnectFailure({
      errorName: "CONNACK_REFUSED",
      errorMessage: "Connection refused: Connection rate exceeded",
      connackCode: 0x9f,
      protocolVersion: 5,
      attemptNumber: 1,
      deep: false,
    });
    t += 1_000;
    collector.recordConnectFailure({
      errorName: "CLIENT_ERROR",
      errorMessage: "Quota exceeded",
      connackCode: null,
      protocolVersion: 5,
      attemptNumber: 2,
      deep: false,
    });
    const events = reports.slice(1).map((report) => only(parseLinkscopeAgentMessage(buildAgentReportTopic("d"), JSON.stringify(report))));
    expect(events.map((event) => [event.code, event.reason])).toEqual([
      ["mqtt5:0x96", "throttled"],
      ["mqtt5:0x9F", "throttled"],
      ["agent:CLIENT_ERROR", "quota_exceeded"],
    ]);
  });
});

describe("rate limiting read from long texts", () => {
  // `([A-Z]+)([A-Z][a-z])` backtracked over a run of capitals from each of its letters: 6 ms for the 2,000 characters
  // read, for each event's message in a diagnosis. A lookahead splits the same words.
  it("reads 20,000 messages of 2,000 capitals in one pass each", { timeout: 30_000 }, () => {
    const shouting = "A".repeat(2_000);
    for (let i = 0; i < 20_000; i += 1) expect(recogniseRateLimiting(shouting)).toBeNull();
    expect(normalizeVendorWords("DeviceThrottlingLimitExceeded MQTTRateTooHigh HTTPSServer")).toBe(
      "device throttling limit exceeded mqtt rate too high https server",
    );
  });
});
