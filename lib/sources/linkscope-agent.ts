import { z } from "zod";
import {
  AGENT_REPORT_TOPIC_FILTER,
  AgentReportSchema,
  MAX_REPORT_BYTES,
  readAgentReportTopic,
  type AgentExport,
  type AgentReport,
  type AgentReportEvent,
} from "@/lib/agent/export-format.ts";
import {
  ConnectionEventSchema,
  EVENT_DEFAULTS,
  type AdapterResult,
  type ConnectionEvent,
  type Initiator,
  type Reason,
} from "@/lib/events/connection-event.ts";
import { parseUntrustedJson } from "./adapter-kit.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";

export const LINKSCOPE_AGENT_SOURCE = "linkscope-agent";
export const LINKSCOPE_AGENT_TOPICS = [AGENT_REPORT_TOPIC_FILTER] as const;

type Mapping = { reason: Reason; initiator: Initiator };

const NETWORK_LOST: Mapping = { reason: "connection_lost", initiator: "network" };

/** Agent error names (see lib/agent/describe-mqtt-error.ts) to canonical reasons. */
const AGENT_ERROR_REASONS: Readonly<Record<string, Mapping>> = {
  CONNECTION_CLOSED: NETWORK_LOST,
  ECONNRESET: NETWORK_LOST,
  EPIPE: NETWORK_LOST,
  ETIMEDOUT: NETWORK_LOST,
  EHOSTUNREACH: NETWORK_LOST,
  ENETUNREACH: NETWORK_LOST,
  ENETDOWN: NETWORK_LOST,
  EAI_AGAIN: NETWORK_LOST,
  ENOTFOUND: NETWORK_LOST,
  CLOSED_BEFORE_CONNACK: NETWORK_LOST,
  CONNACK_TIMEOUT: NETWORK_LOST,
  KEEPALIVE_TIMEOUT: { reason: "keepalive_timeout", initiator: "network" },
  ECONNREFUSED: { reason: "server_error", initiator: "server" },
  CREDENTIALS_UNAVAILABLE: { reason: "credential_expired", initiator: "client" },
};

/** MQTT 3.1.1 CONNACK return codes. */
const CONNACK_REASONS: Readonly<Record<number, Mapping>> = {
  1: { reason: "protocol_error", initiator: "server" },
  2: { reason: "protocol_error", initiator: "server" },
  3: { reason: "server_error", initiator: "server" },
  4: { reason: "auth_failed", initiator: "server" },
  5: { reason: "not_authorized", initiator: "server" },
};

/** MQTT 5 reason codes a server sends in CONNACK or DISCONNECT. */
const MQTT5_REASONS: Readonly<Record<number, Mapping>> = {
  0x80: { reason: "server_error", initiator: "server" },
  0x81: { reason: "protocol_error", initiator: "server" },
  0x82: { reason: "protocol_error", initiator: "server" },
  0x84: { reason: "protocol_error", initiator: "server" },
  0x85: { reason: "protocol_error", initiator: "server" },
  0x86: { reason: "auth_failed", initiator: "server" },
  0x87: { reason: "not_authorized", initiator: "server" },
  0x88: { reason: "server_error", initiator: "server" },
  0x89: { reason: "throttled", initiator: "server" },
  0x8a: { reason: "not_authorized", initiator: "server" },
  0x8b: { reason: "server_shutdown", initiator: "server" },
  0x8d: { reason: "keepalive_timeout", initiator: "server" },
  0x8e: { reason: "session_taken_over", initiator: "server" },
  0x93: { reason: "protocol_error", initiator: "server" },
  0x95: { reason: "protocol_error", initiator: "server" },
  0x96: { reason: "throttled", initiator: "server" },
  0x97: { reason: "quota_exceeded", initiator: "server" },
  0x98: { reason: "admin_disconnect", initiator: "server" },
  0x9c: { reason: "server_shutdown", initiator: "server" },
  0x9d: { reason: "server_shutdown", initiator: "server" },
  0x9f: { reason: "throttled", initiator: "server" },
  0xa0: { reason: "session_ttl", initiator: "server" },
};

const UNKNOWN: Mapping = { reason: "unknown", initiator: "unknown" };

export function formatMqtt5Code(code: number): string {
  return `mqtt5:0x${code.toString(16).toUpperCase().padStart(2, "0")}`;
}

/**
 * Linkscope agent reports (`linkscope/agent/<encoded device id>/report`, lib/agent/export-format.ts) to
 * canonical `device_report` events: the device's own account of a drop, a (re)connection, a refused or failed
 * attempt, or a system event. Pure: no I/O.
 */
export function parseLinkscopeAgentMessage(topic: string, payload: Buffer | string): AdapterResult {
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload, "utf8") : payload.length;
  if (bytes > MAX_REPORT_BYTES) return { ok: false, error: `agent report is ${bytes} bytes; the limit is ${MAX_REPORT_BYTES}` };
  const topicDeviceId = readAgentReportTopic(topic);
  if (topicDeviceId === null) return { ok: false, error: `not an agent report topic: ${topic}` };
  const decoded = parseUntrustedJson(payload, { maxBytes: MAX_REPORT_BYTES });
  if (!decoded.ok) return { ok: false, error: decoded.error };
  const parsed = AgentReportSchema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, error: `not a Linkscope agent report: ${formatZodError(parsed.error)}` };
  if (parsed.data.deviceId !== topicDeviceId) {
    return { ok: false, error: "the report's deviceId does not match its topic (a device may only report for itself)" };
  }
  return toResult([buildDeviceReportEvent(parsed.data)]);
}

/** An uploaded export to the same events live reports produce (same dedupe keys: uploading twice changes nothing). */
export function convertAgentExport(data: AgentExport): AdapterResult {
  const events: AgentReportEvent[] = [
    ...data.recentDrops.map((event) => ({ type: "drop" as const, event })),
    ...data.recentConnections.map((event) => ({ type: "connection" as const, event })),
    ...data.recentConnectFailures.map((event) => ({ type: "connect_failed" as const, event })),
    ...data.recentSystemEvents.map((event) => ({ type: "system_event" as const, event })),
  ];
  return toResult(
    events.map((report) =>
      buildDeviceReportEvent({
        format: "linkscope-agent-report",
        version: 1,
        deviceId: data.deviceId,
        agentId: data.agentId,
        sentAt: data.exportedAt,
        report,
        metrics: data.metrics,
      }),
    ),
  );
}

function toResult(events: ConnectionEvent[]): AdapterResult {
  const checked: ConnectionEvent[] = [];
  for (const event of events) {
    const result = ConnectionEventSchema.safeParse(event);
    if (!result.success) return { ok: false, error: `invalid canonical event: ${formatZodError(result.error)}` };
    checked.push(result.data);
  }
  return { ok: true, events: checked };
}

function buildDeviceReportEvent(report: AgentReport): ConnectionEvent {
  const { report: item } = report;
  const common = {
    ...EVENT_DEFAULTS,
    deviceId: report.deviceId,
    kind: "device_report" as const,
    source: LINKSCOPE_AGENT_SOURCE,
    occurredAt: new Date(item.event.timestamp),
    dedupeKey: computeDedupeKey(LINKSCOPE_AGENT_SOURCE, [report.deviceId, report.agentId, item.event.seq]),
    raw: report,
  };
  switch (item.type) {
    case "drop": {
      const drop = item.event;
      const serverCode = drop.errorName === "SERVER_DISCONNECT" ? drop.mqtt5ReasonCode : null;
      const mapping = serverCode !== null ? (MQTT5_REASONS[serverCode] ?? UNKNOWN) : (AGENT_ERROR_REASONS[drop.errorName] ?? UNKNOWN);
      return {
        ...common,
        reason: mapping.reason,
        initiator: mapping.initiator,
        code: serverCode !== null ? formatMqtt5Code(serverCode) : `agent:${drop.errorName}`,
        message: `dropped after ${drop.durationConnectedSeconds} s connected: ${drop.errorMessage}`,
      };
    }
    case "connection": {
      const connection = item.event;
      return {
        ...common,
        reason: "connected",
        initiator: "client",
        code: `connack:${connection.returnCode}`,
        sessionPresent: connection.sessionPresent,
        message:
          connection.eventType === "connected"
            ? "connected"
            : `${connection.eventType.replace("_", " ")} on attempt ${connection.attemptNumber}` +
              (connection.timeToReconnectSeconds === null ? "" : ` after ${connection.timeToReconnectSeconds} s offline`),
      };
    }
    case "connect_failed": {
      const failure = item.event;
      const code = failure.connackCode;
      const mapping =
        code === null
          ? (AGENT_ERROR_REASONS[failure.errorName] ?? UNKNOWN)
          : failure.protocolVersion === 5
            ? (MQTT5_REASONS[code] ?? UNKNOWN)
            : (CONNACK_REASONS[code] ?? UNKNOWN);
      return {
        ...common,
        reason: mapping.reason,
        initiator: mapping.initiator,
        code: code === null ? `agent:${failure.errorName}` : failure.protocolVersion === 5 ? formatMqtt5Code(code) : `connack:${code}`,
        message: `attempt ${failure.attemptNumber}${failure.deep ? " (deep, fresh credentials)" : ""} failed: ${failure.errorMessage}`,
      };
    }
    case "system_event": {
      const event = item.event;
      return {
        ...common,
        reason: "unknown",
        initiator: "client",
        code: `agent:system_event:${event.type}`,
        message: event.detail ?? event.type.replace("_", " "),
      };
    }
  }
}

function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}
