import { createDiagnosticsCollector } from "@/lib/agent/diagnostics-collector.ts";
import {
  AGENT_FORMAT_VERSION,
  AGENT_REPORT_FORMAT,
  buildAgentReportTopic,
  type AgentReport,
  type SystemEvent,
} from "@/lib/agent/export-format.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsPresenceMessage } from "@/lib/sources/aws-iot.ts";
import { parseAzureRecord } from "@/lib/sources/azure.ts";
import { parseDeviceReport } from "@/lib/sources/device-report.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { parseHivemqEventLine } from "@/lib/sources/hivemq-event-log.ts";
import { parseLinkscopeAgentMessage } from "@/lib/sources/linkscope-agent.ts";
import { createMosquittoLogParser } from "@/lib/sources/mosquitto-log.ts";
import type { Random } from "./random.ts";
import type { DropCause, RefuseCause, Step, SystemEventKind } from "./timeline.ts";

export const FORMATS = [
  "aws-iot",
  "azure-iot-hub",
  "emqx",
  "mosquitto-2.0",
  "mosquitto-2.1",
  "hivemq",
  "agent-mqtt3",
  "agent-mqtt5",
  "device-report",
] as const;
export type FormatId = (typeof FORMATS)[number];

/** What a format can say. A pattern is generated only in the formats that can express all of its steps. */
export type FormatCapabilities = {
  drops: ReadonlySet<DropCause>;
  refusals: ReadonlySet<RefuseCause>;
  /** Successful connects are visible (uptimes can be measured). */
  connects: boolean;
  /** The client address of a connect is visible. */
  clientIp: boolean;
  /** The keepalive the client asked for is visible. */
  keepalive: boolean;
  /** Device-side system events are visible (the agent reports them). */
  systemEvents: boolean;
  /** Device-side only: no broker sees these events. */
  deviceSide: boolean;
};

const caps = (drops: DropCause[], refusals: RefuseCause[], rest: Omit<FormatCapabilities, "drops" | "refusals">): FormatCapabilities => ({
  drops: new Set(drops),
  refusals: new Set(refusals),
  ...rest,
});
const BROKER = { connects: true, clientIp: true, systemEvents: false, deviceSide: false } as const;
const AGENT = { connects: true, clientIp: false, keepalive: false, systemEvents: true, deviceSide: true } as const;

export const FORMAT_CAPABILITIES: Readonly<Record<FormatId, FormatCapabilities>> = {
  "aws-iot": caps(
    ["network", "keepalive", "idle", "token-expired", "takeover", "rate", "shutdown", "clean", "protocol"],
    ["bad-credentials", "not-authorized", "token-expired"],
    { ...BROKER, keepalive: false },
  ),
  "azure-iot-hub": caps(
    ["network", "keepalive", "idle", "token-expired", "takeover", "rate", "quota", "shutdown", "clean"],
    ["bad-credentials", "not-authorized", "token-expired"],
    { ...BROKER, keepalive: false },
  ),
  emqx: caps(
    ["network", "keepalive", "idle", "token-expired", "takeover", "rate", "quota", "shutdown", "clean", "protocol"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id", "server-unavailable"],
    { ...BROKER, keepalive: true },
  ),
  "mosquitto-2.0": caps(
    ["network", "keepalive", "idle", "takeover", "clean", "protocol", "tls"],
    ["bad-credentials", "not-authorized", "token-expired"],
    { ...BROKER, keepalive: true },
  ),
  "mosquitto-2.1": caps(
    ["network", "keepalive", "idle", "takeover", "quota", "clean", "protocol", "tls"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id", "server-unavailable"],
    { ...BROKER, keepalive: true },
  ),
  hivemq: caps(
    ["network", "keepalive", "idle", "takeover", "rate", "clean", "protocol"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id"],
    { ...BROKER, keepalive: false },
  ),
  "agent-mqtt3": caps(
    ["network", "keepalive", "idle", "shutdown"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id", "server-unavailable"],
    AGENT,
  ),
  "agent-mqtt5": caps(
    ["network", "keepalive", "idle", "token-expired", "takeover", "rate", "quota", "shutdown", "protocol"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id", "server-unavailable"],
    AGENT,
  ),
  "device-report": caps(
    ["network", "keepalive", "idle", "token-expired", "takeover", "rate", "quota", "shutdown", "protocol", "tls"],
    ["bad-credentials", "not-authorized", "token-expired", "client-id", "tls", "server-unavailable"],
    { connects: false, clientIp: false, keepalive: false, systemEvents: false, deviceSide: true },
  ),
};

/** One delivery of one raw input, with the adapter that reads it; `redeliverable` inputs may arrive twice. */
export type RenderedEvent = ConnectionEvent;

function unwrap(result: AdapterResult, what: string): ConnectionEvent[] {
  if (!result.ok) throw new Error(`corpus payload rejected by the ${what} adapter: ${result.error}`);
  return result.events;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Session bookkeeping shared by renderers: the connection that a drop ends. */
type Connection = { ip: string; port: number; at: number; keepaliveSec: number; version: number; session: string };

function hex(rnd: Random, length: number): string {
  let out = "";
  while (out.length < length) out += Math.floor(rnd.next() * 16).toString(16);
  return out;
}

function uuid(rnd: Random): string {
  const h = hex(rnd, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function openConnection(step: Extract<Step, { type: "connect" }>, rnd: Random, version: number): Connection {
  return { ip: step.ip, port: rnd.int(32_768, 60_999), at: step.at, keepaliveSec: step.keepaliveSec, version, session: uuid(rnd) };
}

// ---------------------------------------------------------------- AWS IoT presence events (lifecycle-formats §1)

const AWS_DROP: Partial<Record<DropCause, string>> = {
  network: "CONNECTION_LOST",
  keepalive: "MQTT_KEEP_ALIVE_TIMEOUT",
  idle: "CONNECTION_LOST",
  "token-expired": "CUSTOMAUTH_TTL_EXPIRATION",
  takeover: "DUPLICATE_CLIENTID",
  rate: "THROTTLED",
  shutdown: "SERVER_INITIATED_DISCONNECT",
  clean: "CLIENT_INITIATED_DISCONNECT",
  protocol: "CLIENT_ERROR",
};

function renderAws(deviceId: string, steps: readonly Step[], rnd: Random): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  const principal = hex(rnd, 64);
  let version = 0;
  let current: Connection | null = null;
  const deliver = (eventType: string, payload: Record<string, unknown>) =>
    events.push(
      ...unwrap(
        parseAwsPresenceMessage(
          `$aws/events/presence/${eventType}/${deviceId}`,
          JSON.stringify({ clientId: deviceId, eventType, principalIdentifier: principal, ...payload }),
        ),
        "AWS IoT",
      ),
    );
  for (const step of steps) {
    if (step.type === "connect") {
      current = openConnection(step, rnd, version++);
      deliver("connected", { timestamp: step.at, sessionIdentifier: current.session, ipAddress: step.ip, versionNumber: current.version });
    } else if (step.type === "drop") {
      const name = AWS_DROP[step.cause];
      if (!name) throw new Error(`aws-iot cannot express drop ${step.cause}`);
      deliver("disconnected", {
        timestamp: step.at,
        sessionIdentifier: current?.session ?? uuid(rnd),
        versionNumber: current?.version ?? version,
        clientInitiatedDisconnect: step.cause === "clean",
        disconnectReason: name,
      });
      current = null;
    } else if (step.type === "refuse") {
      deliver("connect_failed", {
        timestamp: step.at,
        sessionIdentifier: uuid(rnd),
        ipAddress: step.ip,
        connectFailureReason: "AUTHORIZATION_FAILED",
      });
    }
  }
  return events;
}

// ------------------------------------------------------ Azure IoT Hub Connections resource log (lifecycle-formats §2.3)

const AZURE_DROP: Partial<Record<DropCause, readonly [string, string]>> = {
  network: ["404104", "DeviceConnectionClosedRemotely"],
  keepalive: ["404104", "DeviceConnectionClosedRemotely"],
  idle: ["404104", "DeviceConnectionClosedRemotely"],
  takeover: ["400027", "ConnectionForcefullyClosedOnNewConnection"],
  rate: ["429005", "DeviceThrottlingLimitExceeded"],
  quota: ["403002", "IotHubQuotaExceeded"],
  shutdown: ["400029", "ConnectionForcefullyClosedOnFaultInjection"],
};

const AZURE_REFUSE: Record<
  Extract<RefuseCause, "bad-credentials" | "not-authorized" | "token-expired">,
  readonly [string, string, string]
> = {
  "bad-credentials": ["401003", "IoTHubUnauthorized", "Authorization header missing"],
  "not-authorized": ["404001", "DeviceNotFound", "IotHub '*' does not contain the specified device '*'"],
  "token-expired": ["401003", "IoTHubUnauthorized", "Authentication failed for this device, renew token or certificate and reconnect"],
};

function maskIp(ip: string): string {
  return ip.replace(/\.\d+$/, ".XXX");
}

function renderAzure(deviceId: string, steps: readonly Step[], rnd: Random): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  const hub = `HUB-${hex(rnd, 6).toUpperCase()}`;
  const sdk = rnd.pick([
    "azure-iot-device/1.18.2 (node v20.11.0; Linux; x64)",
    "com.microsoft.azure.sdk.iot.iot-device-client/2.4.1",
    "Microsoft.Azure.Devices.Client/1.42.3 (.NET 8.0)",
  ]);
  let ip = "0.0.0.0";
  const deliver = (at: number, operationName: string, properties: Record<string, unknown>, error: readonly [string, string] | null) =>
    events.push(
      ...unwrap(
        parseAzureRecord({
          time: iso(at),
          resourceId: `/SUBSCRIPTIONS/0000/RESOURCEGROUPS/FLEET/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/${hub}`,
          operationName,
          category: "Connections",
          level: error ? "Error" : "Information",
          ...(error ? { resultType: error[0], resultDescription: error[1] } : {}),
          properties: JSON.stringify({
            deviceId,
            sdkVersion: sdk,
            protocol: "Mqtt",
            authType: '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
            maskedIpAddress: maskIp(ip),
            statusCode: error ? error[0].slice(0, 3) : null,
            ...properties,
          }),
          location: "westeurope",
        }),
        "Azure IoT Hub",
      ),
    );
  for (const step of steps) {
    if (step.type === "connect") {
      ip = step.ip;
      deliver(step.at, "deviceConnect", {}, null);
    } else if (step.type === "drop") {
      if (step.cause === "clean") deliver(step.at, "deviceDisconnect", {}, null);
      else if (step.cause === "token-expired") {
        // The hub refuses the expired SAS token, then logs the connection as closed remotely (§2.3, token renewal).
        deliver(step.at - rnd.int(150, 2_000), "deviceDisconnect", {}, ["401003", "IoTHubUnauthorized"]);
        deliver(step.at, "deviceDisconnect", {}, ["404104", "DeviceConnectionClosedRemotely"]);
      } else {
        const error = AZURE_DROP[step.cause];
        if (!error) throw new Error(`azure-iot-hub cannot express drop ${step.cause}`);
        deliver(step.at, "deviceDisconnect", {}, error);
      }
    } else if (step.type === "refuse") {
      if (step.cause !== "bad-credentials" && step.cause !== "not-authorized" && step.cause !== "token-expired")
        throw new Error(`azure-iot-hub cannot express refusal ${step.cause}`);
      ip = step.ip;
      const [code, name] = AZURE_REFUSE[step.cause];
      deliver(step.at, "deviceConnect", {}, [code, name]);
    }
  }
  return events;
}

// -------------------------------------------------------------------------- EMQX $SYS and rule-engine events (§3)

const EMQX_DROP: Partial<Record<DropCause, readonly string[]>> = {
  network: ["tcp_closed", "etimedout", "econnreset", "ssl_closed"],
  keepalive: ["keepalive_timeout"],
  idle: ["tcp_closed"],
  "token-expired": ["auth_expired", "expired"],
  takeover: ["takenover", "discarded"],
  rate: ["message_rate_too_high"],
  quota: ["quota_exceeded"],
  shutdown: ["server_shutting_down", "kicked"],
  clean: ["normal"],
  protocol: ["protocol_error", "malformed_packet", "frame_too_large"],
};

const EMQX_REFUSE: Partial<Record<RefuseCause, readonly string[]>> = {
  "bad-credentials": ["bad_username_or_password", "malformed_username_or_password"],
  "not-authorized": ["not_authorized", "banned"],
  "token-expired": ["not_authorized"],
  "client-id": ["client_identifier_not_valid"],
  "server-unavailable": ["server_unavailable"],
};

function renderEmqx(deviceId: string, steps: readonly Step[], rnd: Random): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  const node = `emqx@10.0.${rnd.int(0, 9)}.${rnd.int(2, 250)}`;
  const username = rnd.pick(["device", deviceId.slice(0, 40), "fleet-user"]);
  const protoVer = rnd.pick([4, 5]);
  let version = 0;
  let current: Connection | null = null;
  const deliver = (topic: string, payload: Record<string, unknown>) =>
    events.push(...unwrap(parseEmqxMessage(topic, JSON.stringify(payload)), "EMQX"));
  const sys = (type: string) => `$SYS/brokers/${node}/clients/${deviceId}/${type}`;
  for (const step of steps) {
    if (step.type === "connect") {
      current = openConnection(step, rnd, version++);
      deliver(sys("connected"), {
        username,
        ts: step.at,
        sockport: 8883,
        proto_ver: protoVer,
        proto_name: "MQTT",
        keepalive: step.keepaliveSec,
        ipaddress: step.ip,
        expiry_interval: 0,
        connected_at: step.at,
        connack: 0,
        clientid: deviceId,
        clean_start: true,
      });
    } else if (step.type === "drop") {
      const atoms = EMQX_DROP[step.cause];
      if (!atoms) throw new Error(`emqx cannot express drop ${step.cause}`);
      deliver(sys("disconnected"), {
        username,
        ts: step.at,
        sockport: 8883,
        reason: rnd.pick(atoms),
        proto_ver: protoVer,
        proto_name: "MQTT",
        ipaddress: current?.ip ?? step.ip,
        disconnected_at: step.at,
        ...(current ? { connected_at: current.at } : {}),
        clientid: deviceId,
      });
      current = null;
    } else if (step.type === "refuse") {
      const names = EMQX_REFUSE[step.cause];
      if (!names) throw new Error(`emqx cannot express refusal ${step.cause}`);
      deliver("$events/client_connack", {
        event: "client.connack",
        clientid: deviceId,
        username,
        peername: `${step.ip}:${rnd.int(32_768, 60_999)}`,
        sockname: "0.0.0.0:8883",
        proto_name: "MQTT",
        proto_ver: protoVer,
        keepalive: 60,
        clean_start: true,
        reason_code: rnd.pick(names),
        timestamp: step.at,
        node,
      });
    }
  }
  return events;
}

// ------------------------------------------------------------------------------------- Mosquitto log lines (§4.1)

const MOSQUITTO_20_DROP: Partial<Record<DropCause, (id: string) => string>> = {
  network: (id) => `Client ${id} closed its connection.`,
  keepalive: (id) => `Client ${id} has exceeded timeout, disconnecting.`,
  idle: (id) => `Client ${id} closed its connection.`,
  takeover: (id) => `Client ${id} already connected, closing old connection.`,
  clean: (id) => `Client ${id} disconnected.`,
  protocol: (id) => `Client ${id} disconnected due to protocol error.`,
  tls: (id) => `Bad socket read/write on client ${id}: A TLS error occurred.`,
};

const MOSQUITTO_21_DROP: Partial<Record<DropCause, string | null>> = {
  network: "connection closed by client",
  keepalive: "exceeded timeout",
  idle: "connection closed by client",
  takeover: "session taken over",
  quota: "quota exceeded",
  clean: null,
  protocol: "protocol error",
  tls: "bad socket read/write: A TLS error occurred",
};

const MOSQUITTO_21_REFUSE: Partial<Record<RefuseCause, string>> = {
  "bad-credentials": "bad username or password",
  "not-authorized": "not authorised",
  "token-expired": "not authorised",
  "client-id": "client identifier not valid",
  "server-unavailable": "server unavailable",
};

function renderMosquitto(deviceId: string, steps: readonly Step[], rnd: Random, version: "2.0" | "2.1"): ConnectionEvent[] {
  const parser = createMosquittoLogParser({ brokerNode: `mosquitto-${rnd.int(1, 3)}` });
  const events: ConnectionEvent[] = [];
  const protocol = rnd.pick([2, 5]);
  const username = rnd.chance(0.5) ? `, u'${deviceId.slice(0, 20)}'` : "";
  const log = (at: number, message: string) =>
    events.push(...unwrap(parser.parseLine(`${Math.floor(at / 1000)}: ${message}`), "Mosquitto"));
  let current: Connection | null = null;
  for (const step of steps) {
    if (step.type === "connect") {
      current = openConnection(step, rnd, 0);
      log(step.at, `New connection from ${step.ip}:${current.port} on port 8883.`);
      log(
        step.at,
        `New client connected from ${step.ip}:${current.port} as ${deviceId} (p${protocol}, c1, k${step.keepaliveSec}${username}).`,
      );
    } else if (step.type === "drop") {
      if (version === "2.0") {
        const line = MOSQUITTO_20_DROP[step.cause];
        if (!line) throw new Error(`mosquitto 2.0 cannot express drop ${step.cause}`);
        log(step.at, line(deviceId));
      } else {
        const reason = MOSQUITTO_21_DROP[step.cause];
        if (reason === undefined) throw new Error(`mosquitto 2.1 cannot express drop ${step.cause}`);
        const address = `${current?.ip ?? step.ip}:${current?.port ?? rnd.int(32_768, 60_999)}`;
        log(step.at, `Client ${deviceId} [${address}] disconnected${reason === null ? "" : `: ${reason}`}.`);
      }
      current = null;
    } else if (step.type === "refuse") {
      const port = rnd.int(32_768, 60_999);
      log(step.at, `New connection from ${step.ip}:${port} on port 8883.`);
      if (version === "2.0") {
        if (step.cause !== "bad-credentials" && step.cause !== "not-authorized" && step.cause !== "token-expired")
          throw new Error(`mosquitto 2.0 cannot express refusal ${step.cause}`);
        // 2.0.13 and later name the client on failed connects (§4.1 behaviour changes).
        log(step.at, `Client ${deviceId} disconnected, not authorised.`);
      } else {
        const reason = MOSQUITTO_21_REFUSE[step.cause];
        if (!reason) throw new Error(`mosquitto 2.1 cannot express refusal ${step.cause}`);
        log(step.at, `Client ${deviceId} [${step.ip}:${port}] disconnected: ${reason}.`);
      }
    }
  }
  return events;
}

// ----------------------------------------------------------------------------------------- HiveMQ event.log (§7)

const HIVEMQ_DROP: Partial<Record<DropCause, string>> = {
  network: "disconnected ungracefully.",
  keepalive: "was disconnected. reason: Client was idle for too long.",
  idle: "disconnected ungracefully.",
  takeover: "was disconnected. reason: Another client connected with the same client id.",
  rate: "was disconnected. reason: Sent too many concurrent PUBLISH messages.",
  clean: "disconnected gracefully.",
  protocol: "was disconnected. reason: Sent second CONNECT message.",
};

const HIVEMQ_REFUSE: Partial<Record<RefuseCause, string>> = {
  "bad-credentials": "was disconnected. reason: Authentication failed.",
  "not-authorized": "was disconnected. reason: Authentication failed.",
  "token-expired": "was disconnected. reason: Authentication failed.",
  "client-id": "was disconnected. reason: Sent CONNECT with invalid client identifier.",
};

function hivemqStamp(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)},${d.slice(20, 23)}`;
}

function renderHivemq(deviceId: string, steps: readonly Step[]): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  let ip = "0.0.0.0";
  const log = (at: number, message: string) => events.push(...unwrap(parseHivemqEventLine(`${hivemqStamp(at)} - ${message}`), "HiveMQ"));
  for (const step of steps) {
    if (step.type === "connect") {
      ip = step.ip;
      log(step.at, `Client ID: ${deviceId}, IP: ${step.ip}, Clean Start: true, Session Expiry: 0 connected.`);
    } else if (step.type === "drop") {
      const text = HIVEMQ_DROP[step.cause];
      if (!text) throw new Error(`hivemq cannot express drop ${step.cause}`);
      log(step.at, `Client ID: ${deviceId}, IP: ${ip} ${text}`);
    } else if (step.type === "refuse") {
      const text = HIVEMQ_REFUSE[step.cause];
      if (!text) throw new Error(`hivemq cannot express refusal ${step.cause}`);
      log(step.at, `Client ID: ${deviceId}, IP: ${step.ip} ${text}`);
    }
  }
  return events;
}

// --------------------------------------------------------- Linkscope agent reports (decision 008, lib/agent)

type AgentDrop = { errorName: string; errorCode: string | number | null; errorMessage: string; mqtt5ReasonCode: number | null };

const SERVER_DISCONNECT = (code: number, text: string): AgentDrop => ({
  errorName: "SERVER_DISCONNECT",
  errorCode: code,
  errorMessage: text,
  mqtt5ReasonCode: code,
});
const POSIX = (name: string, message: string): AgentDrop => ({
  errorName: name,
  errorCode: name,
  errorMessage: message,
  mqtt5ReasonCode: null,
});

function agentDrop(cause: DropCause, mqtt5: boolean, rnd: Random): AgentDrop | null {
  switch (cause) {
    case "network":
      return rnd.pick([
        POSIX("ECONNRESET", "read ECONNRESET"),
        POSIX("ETIMEDOUT", "read ETIMEDOUT"),
        POSIX("EPIPE", "write EPIPE"),
        {
          errorName: "CONNECTION_CLOSED",
          errorCode: null,
          errorMessage: "the connection was closed without an error (peer or path closed it)",
          mqtt5ReasonCode: null,
        },
      ]);
    case "keepalive":
      return { errorName: "KEEPALIVE_TIMEOUT", errorCode: null, errorMessage: "Keepalive timeout", mqtt5ReasonCode: null };
    case "idle":
      return {
        errorName: "CONNECTION_CLOSED",
        errorCode: null,
        errorMessage: "the connection was closed without an error (peer or path closed it)",
        mqtt5ReasonCode: null,
      };
    case "shutdown":
      return mqtt5 ? SERVER_DISCONNECT(0x8b, "Server shutting down") : POSIX("ECONNRESET", "read ECONNRESET");
    case "token-expired":
      return mqtt5 ? SERVER_DISCONNECT(0x87, "Not authorized") : null;
    case "takeover":
      return mqtt5 ? SERVER_DISCONNECT(0x8e, "Session taken over") : null;
    case "rate":
      return mqtt5 ? SERVER_DISCONNECT(0x96, "Message rate too high") : null;
    case "quota":
      return mqtt5 ? SERVER_DISCONNECT(0x97, "Quota exceeded") : null;
    case "protocol":
      return mqtt5 ? SERVER_DISCONNECT(0x82, "Protocol Error") : null;
    case "clean":
    case "tls":
      return null;
  }
}

const AGENT_REFUSE: Partial<Record<RefuseCause, readonly [v3: number, v5: number, text: string]>> = {
  "bad-credentials": [4, 0x86, "Connection refused: Bad username or password"],
  "not-authorized": [5, 0x87, "Connection refused: Not authorized"],
  "token-expired": [5, 0x87, "Connection refused: Not authorized"],
  "client-id": [2, 0x85, "Connection refused: Identifier rejected"],
  "server-unavailable": [3, 0x88, "Connection refused: Server unavailable"],
};

const AGENT_SYSTEM: Record<SystemEventKind, { type: SystemEvent["type"]; details: readonly string[] }> = {
  network_change: { type: "network_change", details: ["wlan0 roamed to AP 3", "wwan0 switched from LTE to 3G", "eth0 link down/up"] },
  power_save: { type: "power_save", details: ["wlan0 entered power save", "modem PSM entered"] },
  dhcp_renewal: { type: "dhcp_renewal", details: ["dhclient renewed lease on wlan0", "DHCPREQUEST on eth0"] },
  suspend: { type: "other", details: ["systemd-suspend: system suspended", "PM: suspend entry (deep)"] },
  cron: { type: "other", details: ["cron: apt-daily.service started", "CRON[2211]: (root) CMD (/usr/local/bin/rotate-logs)"] },
};

/** Reports exactly as the agent publishes them: driven through the real diagnostics collector, then the real adapter. */
function renderAgent(
  deviceId: string,
  steps: readonly Step[],
  rnd: Random,
  mqtt5: boolean,
  options: { onlySystemAndDevice?: boolean } = {},
): ConnectionEvent[] {
  let now = steps[0]?.at ?? 0;
  const agentId = hex(rnd, 12);
  const collector = createDiagnosticsCollector({
    deviceId,
    agentId,
    config: {
      keepaliveSec: 60,
      initialReconnectDelayMs: 500,
      maxReconnectDelayMs: 60_000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 200,
    },
    maxEventsRetained: 50,
    now: () => now,
  });
  const reports: AgentReport[] = [];
  collector.onEvent((report) =>
    reports.push({
      format: AGENT_REPORT_FORMAT,
      version: AGENT_FORMAT_VERSION,
      deviceId,
      agentId,
      sentAt: new Date(now).toISOString(),
      report,
      metrics: collector.getMetrics(),
    }),
  );
  let attempt = 0;
  let connectedBefore = false;
  for (const step of steps) {
    now = step.at;
    if (step.type === "connect") {
      collector.recordConnection({
        eventType: connectedBefore ? (attempt > 5 ? "deep_reconnected" : "resumed") : "connected",
        sessionPresent: connectedBefore,
        returnCode: 0,
        attemptNumber: connectedBefore ? Math.max(1, attempt) : 0,
      });
      connectedBefore = true;
      attempt = 0;
    } else if (step.type === "drop") {
      const drop = agentDrop(step.cause, mqtt5, rnd);
      if (drop === null) {
        if (step.cause === "clean" || options.onlySystemAndDevice) continue;
        throw new Error(`agent (${mqtt5 ? "MQTT 5" : "MQTT 3.1.1"}) cannot express drop ${step.cause}`);
      }
      collector.recordDrop({ ...drop, reconnectAttempt: 0, activeSubscriptions: rnd.int(1, 4), queuedCommands: rnd.int(0, 3) });
    } else if (step.type === "refuse") {
      attempt += 1;
      const codes = AGENT_REFUSE[step.cause];
      if (!codes) throw new Error(`agent cannot express refusal ${step.cause}`);
      collector.recordConnectFailure({
        errorName: "CONNACK_REFUSED",
        errorMessage: codes[2],
        connackCode: mqtt5 ? codes[1] : codes[0],
        protocolVersion: mqtt5 ? 5 : 4,
        attemptNumber: attempt,
        deep: attempt > 5,
      });
    } else {
      const system = AGENT_SYSTEM[step.kind];
      collector.recordSystemEvent({ type: system.type, detail: rnd.pick(system.details) });
    }
  }
  const topic = buildAgentReportTopic(deviceId);
  return reports.flatMap((report) => unwrap(parseLinkscopeAgentMessage(topic, JSON.stringify(report)), "Linkscope agent"));
}

// ------------------------------------------------------------- Device-reported errors (§1.6, §4.7, §6, §8)

type DeviceError = { error?: string; crtCode?: number; connackCode?: number; reasonCode?: number; platform?: string };

function deviceDropReport(cause: DropCause, rnd: Random): DeviceError | null {
  switch (cause) {
    case "network":
    case "idle":
      return rnd.pick<DeviceError>([
        { crtCode: 5134, error: "AWS_ERROR_MQTT_UNEXPECTED_HANGUP: The connection was closed unexpectedly." },
        { error: "The connection was lost.", platform: "mosquitto" },
        { crtCode: 1048 },
      ]);
    case "keepalive":
      return rnd.pick<DeviceError>([{ crtCode: 5152 }, { error: "Keepalive exceeded", platform: "mosquitto" }]);
    case "token-expired":
      return { error: "mqtt: SERVER: The authorization token expired.", platform: "clearblade" };
    case "takeover":
      return {
        error: "SERVER: The connection was closed because there is another active connection with the same device ID.",
        platform: "clearblade",
      };
    case "shutdown":
      return { error: "SERVER: The connection is closed because the server is shutting down.", platform: "clearblade" };
    case "rate":
      return rnd.pick<DeviceError>([
        { reasonCode: 0x96 },
        { error: "Publish throttled by server: message rate limit exceeded (too many requests)", platform: "other" },
      ]);
    case "quota":
      return rnd.pick<DeviceError>([{ reasonCode: 0x97 }, { error: "Daily message quota exceeded", platform: "other" }]);
    case "protocol":
      return { reasonCode: 0x82 };
    case "tls":
      return rnd.pick<DeviceError>([
        { crtCode: 1183 },
        { crtCode: 1181 },
        { crtCode: 1194 },
        { error: "A TLS error occurred.", platform: "mosquitto" },
        { error: "TLS handshake failed.", platform: "mosquitto" },
      ]);
    case "clean":
      return null;
  }
}

function deviceRefusalReport(cause: RefuseCause, rnd: Random): DeviceError {
  switch (cause) {
    case "bad-credentials":
      return rnd.pick<DeviceError>([
        { connackCode: 4 },
        { reasonCode: 0x86 },
        { error: "Connection Refused: bad user name or password.", platform: "mosquitto" },
      ]);
    case "not-authorized":
      return rnd.pick<DeviceError>([
        { connackCode: 5 },
        { reasonCode: 0x87 },
        { error: "Connection Refused: not authorised.", platform: "mosquitto" },
      ]);
    case "token-expired":
      return rnd.pick<DeviceError>([
        { connackCode: 4, error: "CONNACK 4: JWT expired (exp in the past)" },
        { error: "mqtt: SERVER: The authorization token expired.", platform: "clearblade" },
      ]);
    case "client-id":
      return rnd.pick<DeviceError>([
        { connackCode: 2 },
        { reasonCode: 0x85 },
        { error: "Connection Refused: identifier rejected.", platform: "mosquitto" },
      ]);
    case "tls":
      return rnd.pick<DeviceError>([
        { crtCode: 1183 },
        { crtCode: 1181 },
        { crtCode: 1194 },
        { crtCode: 1029 },
        { error: "A TLS error occurred.", platform: "mosquitto" },
      ]);
    case "server-unavailable":
      return rnd.pick<DeviceError>([{ connackCode: 3 }, { reasonCode: 0x88 }]);
  }
}

function renderDeviceReports(deviceId: string, steps: readonly Step[], rnd: Random): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  steps.forEach((step, index) => {
    let report: DeviceError | null = null;
    if (step.type === "drop") report = deviceDropReport(step.cause, rnd);
    else if (step.type === "refuse") report = deviceRefusalReport(step.cause, rnd);
    if (report === null) return;
    events.push(...unwrap(parseDeviceReport({ deviceId, occurredAt: iso(step.at), reportId: `r${index}`, ...report }), "device-report"));
  });
  return events;
}

/** Runs a timeline through the real adapter(s) of a format. `withAgent` adds the agent's reports of the same device. */
export function renderTimeline(
  format: FormatId,
  deviceId: string,
  steps: readonly Step[],
  rnd: Random,
  options: { withAgent?: false | "mqtt3" | "mqtt5" } = {},
): ConnectionEvent[] {
  const brokerSteps = steps.filter((step) => step.type !== "system");
  let events: ConnectionEvent[];
  switch (format) {
    case "aws-iot":
      events = renderAws(deviceId, brokerSteps, rnd);
      break;
    case "azure-iot-hub":
      events = renderAzure(deviceId, brokerSteps, rnd);
      break;
    case "emqx":
      events = renderEmqx(deviceId, brokerSteps, rnd);
      break;
    case "mosquitto-2.0":
      events = renderMosquitto(deviceId, brokerSteps, rnd, "2.0");
      break;
    case "mosquitto-2.1":
      events = renderMosquitto(deviceId, brokerSteps, rnd, "2.1");
      break;
    case "hivemq":
      events = renderHivemq(deviceId, brokerSteps);
      break;
    case "agent-mqtt3":
      return renderAgent(deviceId, steps, rnd, false);
    case "agent-mqtt5":
      return renderAgent(deviceId, steps, rnd, true);
    case "device-report":
      return renderDeviceReports(deviceId, brokerSteps, rnd);
  }
  if (options.withAgent)
    events = [...events, ...renderAgent(deviceId, steps, rnd, options.withAgent === "mqtt5", { onlySystemAndDevice: true })];
  return events;
}

/** True when the format can render every step of a timeline. */
export function canExpress(format: FormatId, steps: readonly Step[]): boolean {
  const capabilities = FORMAT_CAPABILITIES[format];
  return steps.every((step) => {
    if (step.type === "drop") return capabilities.drops.has(step.cause);
    if (step.type === "refuse") return capabilities.refusals.has(step.cause);
    return true;
  });
}
