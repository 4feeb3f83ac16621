import { z } from "zod";
import {
  AGENT_REPORT_TOPIC_FILTER,
  AGENT_VITALS_FORMAT,
  AgentReportSchema,
  AgentVitalsReportSchema,
  MAX_REPORT_BYTES,
  readAgentReportTopic,
  type AgentExport,
  type AgentExportEnvelope,
  type AgentReport,
  type AgentReportEvent,
} from "@/lib/agent/export-format.ts";
import {
  ConnectionEventSchema,
  DeviceIdSchema,
  EARLIEST_EVENT_TIME,
  EVENT_DEFAULTS,
  LATEST_EVENT_TIME,
  type AdapterResult,
  type ConnectionEvent,
} from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { buildDeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { parseUntrustedJson } from "./adapter-kit.ts";
import { formatMqtt5Code } from "@/lib/events/mqtt5-code.ts";
import { mapVendorCode } from "./vendor-codes.ts";

export const LINKSCOPE_AGENT_SOURCE = "linkscope-agent";
export const LINKSCOPE_AGENT_TOPICS = [AGENT_REPORT_TOPIC_FILTER] as const;

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
  if (isVitalsReport(decoded.value)) return parseVitalsReport(decoded.value, topicDeviceId);
  const parsed = AgentReportSchema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, error: `not a Linkscope agent report: ${formatZodError(parsed.error)}` };
  if (parsed.data.deviceId !== topicDeviceId) return { ok: false, error: FOREIGN_DEVICE_ERROR };
  const report = parsed.data;
  const result = toResult([buildDeviceReportEvent(report)]);
  if (!result.ok) return result;
  // Every report carries the publish count at that moment: the series the message-burst analysis reads.
  const sample = buildDeviceSample({
    deviceId: report.deviceId,
    series: report.agentId,
    at: new Date(report.report.event.timestamp),
    publishedMessages: report.metrics.publishedMessages,
  });
  return { ...result, samples: [sample] };
}

const FOREIGN_DEVICE_ERROR = "the report's deviceId does not match its topic (a device may only report for itself)";

function isVitalsReport(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { format?: unknown }).format === AGENT_VITALS_FORMAT;
}

/** A vitals reading is a device sample, not an event: it never appears on the event timeline. */
function parseVitalsReport(value: unknown, topicDeviceId: string): AdapterResult {
  const parsed = AgentVitalsReportSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `not a Linkscope agent vitals report: ${formatZodError(parsed.error)}` };
  if (parsed.data.deviceId !== topicDeviceId) return { ok: false, error: FOREIGN_DEVICE_ERROR };
  const { deviceId, agentId, measuredAt, vitals, publishedMessages } = parsed.data;
  // A reading has no event for the canonical checks to refuse: its device ID and time are checked here.
  const id = DeviceIdSchema.safeParse(deviceId);
  if (!id.success)
    return { ok: false, error: `not a Linkscope agent vitals report: ${id.error.issues[0]?.message ?? "invalid device ID"}` };
  const at = new Date(measuredAt);
  if (at < EARLIEST_EVENT_TIME || at > LATEST_EVENT_TIME)
    return { ok: false, error: `not a Linkscope agent vitals report: measuredAt ${measuredAt} is before 1970 or after 9999` };
  return {
    ok: true,
    events: [],
    samples: [buildDeviceSample({ deviceId, series: agentId, at, vitals, publishedMessages })],
  };
}

/** An uploaded export to the same events live reports produce (same dedupe keys: uploading twice changes nothing). */
export function convertAgentExport(data: AgentExport): AdapterResult {
  const reports: AgentReportEvent[] = [
    ...data.recentDrops.map((event) => ({ type: "drop" as const, event })),
    ...data.recentConnections.map((event) => ({ type: "connection" as const, event })),
    ...data.recentConnectFailures.map((event) => ({ type: "connect_failed" as const, event })),
    ...data.recentSystemEvents.map((event) => ({ type: "system_event" as const, event })),
  ];
  const events: ConnectionEvent[] = [];
  for (const report of reports) {
    const result = convertAgentExportEntry(data, report);
    if (!result.ok) return result;
    events.push(...result.events);
  }
  return { ok: true, events };
}

/** One entry of an export (a drop, a connection, a refused attempt, a system event) to its event, or why it is none. */
export function convertAgentExportEntry(envelope: AgentExportEnvelope, report: AgentReportEvent): AdapterResult {
  return toResult([
    buildDeviceReportEvent({
      format: "linkscope-agent-report",
      version: 1,
      deviceId: envelope.deviceId,
      agentId: envelope.agentId,
      sentAt: envelope.exportedAt,
      report,
      metrics: envelope.metrics,
    }),
  ]);
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
    feed: FEEDS.agentReport,
    occurredAt: new Date(item.event.timestamp),
    dedupeKey: computeDedupeKey(LINKSCOPE_AGENT_SOURCE, [report.deviceId, report.agentId, item.event.seq]),
    raw: report,
  };
  switch (item.type) {
    case "drop": {
      const drop = item.event;
      const serverCode = drop.errorName === "SERVER_DISCONNECT" ? drop.mqtt5ReasonCode : null;
      const code = serverCode !== null ? formatMqtt5Code(serverCode) : `agent:${drop.errorName}`;
      const mapping = mapVendorCode(code, drop.errorMessage);
      return {
        ...common,
        reason: mapping.reason,
        initiator: mapping.initiator,
        code,
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
      const returnCode = failure.connackCode;
      const code =
        returnCode === null
          ? `agent:${failure.errorName}`
          : failure.protocolVersion === 5
            ? formatMqtt5Code(returnCode)
            : `connack:${returnCode}`;
      const mapping = mapVendorCode(code, failure.errorMessage);
      return {
        ...common,
        reason: mapping.reason,
        initiator: mapping.initiator,
        code,
        message: `attempt ${failure.attemptNumber}${failure.deep ? " (deep, fresh credentials)" : ""} failed: ${failure.errorMessage}`,
      };
    }
    case "system_event": {
      const event = item.event;
      const code = `agent:system_event:${event.type}`;
      const mapping = mapVendorCode(code);
      return {
        ...common,
        reason: mapping.reason,
        initiator: mapping.initiator,
        code,
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
