import { z } from "zod";

/**
 * The agent's data formats: what `exportJson()` writes, what the agent publishes on its report topic, and what
 * Linkscope accepts back (live reports and uploaded exports are untrusted input: every field is bounded).
 * Nothing here carries credentials: no password, token or username is part of any event or of the config.
 */

export const AGENT_EXPORT_FORMAT = "linkscope-agent-export";
export const AGENT_REPORT_FORMAT = "linkscope-agent-report";
export const AGENT_FORMAT_VERSION = 1;

/** Upper bounds for accepted input (a device can be buggy or hostile). */
export const MAX_EXPORT_BYTES = 2 * 1024 * 1024;
export const MAX_REPORT_BYTES = 16 * 1024;
export const MAX_EVENTS_PER_LIST = 5_000;

const Iso = z.iso.datetime({ offset: true });
const Text = (max: number) => z.string().max(max);
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Seconds = z
  .number()
  .min(0)
  .max(10 * 365 * 86_400);
const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const CONNECTION_EVENT_TYPES = ["connected", "resumed", "deep_reconnected"] as const;
export const SYSTEM_EVENT_TYPES = ["network_change", "power_save", "dhcp_renewal", "other"] as const;

export const DropEventSchema = z.object({
  seq: Seq,
  timestamp: Iso,
  errorName: Text(100),
  errorCode: z.union([Text(100), z.number().int()]).nullable(),
  errorMessage: Text(500),
  /** The reconnect attempt that was under way when it dropped (0 = it dropped from a settled connection). */
  reconnectAttempt: Count,
  durationConnectedSeconds: Seconds,
  activeSubscriptions: Count,
  queuedCommands: Count,
  /** MQTT 5 DISCONNECT reason code from the server, when it sent one. */
  mqtt5ReasonCode: z.number().int().min(0).max(255).nullable(),
});
export type DropEvent = z.infer<typeof DropEventSchema>;

export const ConnectionRecordSchema = z.object({
  seq: Seq,
  timestamp: Iso,
  eventType: z.enum(CONNECTION_EVENT_TYPES),
  sessionPresent: z.boolean(),
  returnCode: z.number().int().min(0).max(255),
  /** 0 for the first connection, else the reconnect attempt that succeeded. */
  attemptNumber: Count,
  timeToReconnectSeconds: Seconds.nullable(),
});
export type ConnectionRecord = z.infer<typeof ConnectionRecordSchema>;

export const ConnectFailureSchema = z.object({
  seq: Seq,
  timestamp: Iso,
  errorName: Text(100),
  errorMessage: Text(500),
  /** CONNACK return code (3.1.1) or reason code (5) when the broker refused, else null (no CONNACK came). */
  connackCode: z.number().int().min(0).max(255).nullable(),
  protocolVersion: z.union([z.literal(3), z.literal(4), z.literal(5)]),
  attemptNumber: Count,
  deep: z.boolean(),
});
export type ConnectFailure = z.infer<typeof ConnectFailureSchema>;

export const SystemEventSchema = z.object({
  seq: Seq,
  timestamp: Iso,
  type: z.enum(SYSTEM_EVENT_TYPES),
  detail: Text(300).nullable(),
});
export type SystemEvent = z.infer<typeof SystemEventSchema>;

const CountsByKey = z.record(Text(100), Count).refine((value) => Object.keys(value).length <= 200, "too many keys");

export const AgentMetricsSchema = z.object({
  connected: z.boolean(),
  totalConnections: Count,
  totalDrops: Count,
  totalRecoveries: Count,
  totalConnectFailures: Count,
  sessionDurationSeconds: z.object({ min: Seconds.nullable(), max: Seconds.nullable(), average: Seconds.nullable() }),
  currentUptimeSeconds: Seconds,
  dropsByError: CountsByKey,
  /** Successful reconnects by the attempt number that succeeded ("1", "2", …). */
  attemptDistribution: CountsByKey,
  publishedMessages: Count,
  queuedMessages: Count,
  droppedCommands: Count,
  systemEvents: Count,
  lastDropAt: Iso.nullable(),
});
export type AgentMetrics = z.infer<typeof AgentMetricsSchema>;

/** Settings worth seeing next to the drops; all non-secret. */
export const ExportedConfigSchema = z.object({
  keepaliveSec: Count,
  initialReconnectDelayMs: Count,
  maxReconnectDelayMs: Count,
  deepReconnectThreshold: Count,
  maxReconnectAttempts: z.number().int().min(-1),
  enableCommandQueue: z.boolean(),
  maxQueuedCommands: Count,
});
export type ExportedConfig = z.infer<typeof ExportedConfigSchema>;

const DeviceId = z.string().min(1).max(512);
const AgentId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "agentId is [A-Za-z0-9_-]");

export const AgentExportSchema = z.object({
  format: z.literal(AGENT_EXPORT_FORMAT),
  version: z.literal(AGENT_FORMAT_VERSION),
  deviceId: DeviceId,
  agentId: AgentId,
  exportedAt: Iso,
  config: ExportedConfigSchema,
  metrics: AgentMetricsSchema,
  recentDrops: z.array(DropEventSchema).max(MAX_EVENTS_PER_LIST),
  recentConnections: z.array(ConnectionRecordSchema).max(MAX_EVENTS_PER_LIST),
  recentConnectFailures: z.array(ConnectFailureSchema).max(MAX_EVENTS_PER_LIST),
  recentSystemEvents: z.array(SystemEventSchema).max(MAX_EVENTS_PER_LIST),
});
export type AgentExport = z.infer<typeof AgentExportSchema>;

/** An export's lists, each entry read on its own: one malformed entry is refused alone, not the whole file. */
export const AGENT_EXPORT_LISTS = {
  recentDrops: { type: "drop", schema: DropEventSchema },
  recentConnections: { type: "connection", schema: ConnectionRecordSchema },
  recentConnectFailures: { type: "connect_failed", schema: ConnectFailureSchema },
  recentSystemEvents: { type: "system_event", schema: SystemEventSchema },
} as const;

/** What identifies an export and holds for all its entries; the entries are checked one by one (AGENT_EXPORT_LISTS). */
export const AgentExportEnvelopeSchema = AgentExportSchema.extend({
  recentDrops: z.array(z.unknown()).max(MAX_EVENTS_PER_LIST),
  recentConnections: z.array(z.unknown()).max(MAX_EVENTS_PER_LIST),
  recentConnectFailures: z.array(z.unknown()).max(MAX_EVENTS_PER_LIST),
  recentSystemEvents: z.array(z.unknown()).max(MAX_EVENTS_PER_LIST),
});
export type AgentExportEnvelope = Omit<AgentExport, keyof typeof AGENT_EXPORT_LISTS>;

export const AgentReportEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("drop"), event: DropEventSchema }),
  z.object({ type: z.literal("connection"), event: ConnectionRecordSchema }),
  z.object({ type: z.literal("connect_failed"), event: ConnectFailureSchema }),
  z.object({ type: z.literal("system_event"), event: SystemEventSchema }),
]);
export type AgentReportEvent = z.infer<typeof AgentReportEventSchema>;

/** One message on the report topic: one recorded event plus the metrics at that moment. */
export const AgentReportSchema = z.object({
  format: z.literal(AGENT_REPORT_FORMAT),
  version: z.literal(AGENT_FORMAT_VERSION),
  deviceId: DeviceId,
  agentId: AgentId,
  sentAt: Iso,
  report: AgentReportEventSchema,
  metrics: AgentMetricsSchema,
});
export type AgentReport = z.infer<typeof AgentReportSchema>;

export const AGENT_VITALS_FORMAT = "linkscope-agent-vitals";

/** Values the device application hands the agent; all optional (report what the hardware knows). */
export const DeviceVitalsSchema = z.object({
  /** Wi-Fi RSSI or cellular signal strength. */
  rssiDbm: z.number().min(-150).max(0).nullish(),
  /** Link quality as a percentage (cellular signal quality, a driver's link quality). */
  linkQualityPct: z.number().min(0).max(100).nullish(),
  batteryPct: z.number().min(0).max(100).nullish(),
  freeMemoryBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  /** The device application's process uptime. */
  uptimeSec: z
    .number()
    .min(0)
    .max(100 * 365 * 86_400)
    .nullish(),
});
export type DeviceVitals = z.infer<typeof DeviceVitalsSchema>;

/** A periodic reading on the report topic: signal and vitals plus the agent's publish count at that moment. */
export const AgentVitalsReportSchema = z.object({
  format: z.literal(AGENT_VITALS_FORMAT),
  version: z.literal(AGENT_FORMAT_VERSION),
  deviceId: DeviceId,
  agentId: AgentId,
  measuredAt: Iso,
  vitals: DeviceVitalsSchema,
  publishedMessages: Count,
});
export type AgentVitalsReport = z.infer<typeof AgentVitalsReportSchema>;

/** Reports for device `deviceId` go to `linkscope/agent/<encodeURIComponent(deviceId)>/report`. */
export const AGENT_REPORT_TOPIC_FILTER = "linkscope/agent/+/report";
const REPORT_TOPIC_PATTERN = /^linkscope\/agent\/([^/]+)\/report$/;

export function buildAgentReportTopic(deviceId: string): string {
  return `linkscope/agent/${encodeURIComponent(deviceId)}/report`;
}

/** The device ID in a report topic, or null when the topic is not one (or its segment is not valid encoding). */
export function readAgentReportTopic(topic: string): string | null {
  const match = REPORT_TOPIC_PATTERN.exec(topic);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
