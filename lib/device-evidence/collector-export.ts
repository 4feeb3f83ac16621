import { z } from "zod";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { findCrtNumber, mapVendorCode } from "@/lib/sources/vendor-codes.ts";
import type { DeviceSample } from "./device-sample.ts";

/**
 * The Python MqttDiagnosticsCollector's `export_json()` (the field guide's collector, snake_case), alone or inside a
 * Home Assistant diagnostics download (`{ "home_assistant": …, "data": … }`). Unknown fields are ignored; the
 * fields the diagnosis reads are bounded.
 */
export const COLLECTOR_SOURCE = "mqtt-diagnostics-collector";
export const MAX_COLLECTOR_EVENTS = 5_000;

const Timestamp = z
  .string()
  .max(64)
  .refine((value) => !Number.isNaN(Date.parse(value)) && /\d{4}-\d{2}-\d{2}T/.test(value), "not an ISO 8601 timestamp");
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const OptionalCount = Count.nullish();
const Seconds = z
  .number()
  .min(0)
  .max(10 * 365 * 86_400)
  .nullish();
const Text = (max: number) =>
  z
    .string()
    .nullish()
    .transform((value) => (value ? value.slice(0, max) : null));

export const CollectorDropSchema = z.object({
  timestamp: Timestamp,
  error_name: Text(100),
  error_message: Text(500),
  error_code: z.union([z.number().int(), z.string().max(100)]).nullish(),
  reconnect_attempt: OptionalCount,
  duration_connected_seconds: Seconds,
  active_subscriptions: OptionalCount,
  queued_commands: OptionalCount,
});
export type CollectorDrop = z.infer<typeof CollectorDropSchema>;

export const CollectorConnectionSchema = z.object({
  timestamp: Timestamp,
  event_type: z.string().min(1).max(40),
  session_present: z.boolean().nullish(),
  return_code: z.number().int().min(0).max(255).nullish(),
  attempt_number: OptionalCount,
  time_to_reconnect_seconds: Seconds,
});
export type CollectorConnection = z.infer<typeof CollectorConnectionSchema>;

export const CollectorExportSchema = z.object({
  /** When `export_json()` ran; absent in hand-trimmed files. */
  timestamp: Timestamp.nullish(),
  metrics: z.object({
    total_connection_drops: Count,
    connection_recovered: OptionalCount,
    current_session_uptime_seconds: Seconds,
    total_connections: OptionalCount,
    messages_published: OptionalCount,
    messages_queued: OptionalCount,
  }),
  recent_drops: z.array(CollectorDropSchema).max(MAX_COLLECTOR_EVENTS),
  recent_connections: z.array(CollectorConnectionSchema).max(MAX_COLLECTOR_EVENTS).nullish(),
  aws_error_counts: z.record(z.string().max(100), z.number()).nullish(),
});
export type CollectorExport = z.infer<typeof CollectorExportSchema>;

/** What holds for a whole export; its drops and connections are checked one by one, so one bad entry is refused alone. */
export const CollectorExportEnvelopeSchema = CollectorExportSchema.extend({
  recent_drops: z.array(z.unknown()).max(MAX_COLLECTOR_EVENTS),
  recent_connections: z.array(z.unknown()).max(MAX_COLLECTOR_EVENTS).nullish(),
});
export type CollectorExportEnvelope = z.infer<typeof CollectorExportEnvelopeSchema>;

const NON_FINITE = /-?\bInfinity\b|\bNaN\b/g;

/**
 * Python's `json.dumps` writes `Infinity` / `NaN` (the collector's shortest session starts at infinity). A string left
 * unterminated is matched to its end too: where it had to close, every escaped quote in it started a scan to the end of
 * the file again (quadratic: minutes for a 1 MB upload of `"\"\"…`). No string can start inside it, so only its
 * `Infinity` and `NaN` are replaced, as before.
 */
export function replaceNonFiniteNumbers(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*("?)|-?\bInfinity\b|\bNaN\b/g, (match, closed: string | undefined) => {
    if (!match.startsWith('"')) return "null";
    return closed ? match : `"${match.slice(1).replace(NON_FINITE, "null")}`;
  });
}

export type CollectorSource = { kind: "collector" | "home-assistant"; value: unknown; path: string };

/**
 * Where the collector's export is in an uploaded JSON value: the value itself, or for a Home Assistant
 * diagnostics download the first object under `data` (breadth-first, a few levels) that has `metrics` and
 * `recent_drops`. Null when the value is neither.
 */
export function locateCollectorExport(value: unknown): CollectorSource | null {
  if (!isObject(value)) return null;
  if ("metrics" in value && "recent_drops" in value) return { kind: "collector", value, path: "(root)" };
  if (!("home_assistant" in value) && !("data" in value)) return null;
  const queue: { node: unknown; path: string; depth: number }[] = [{ node: value.data, path: "data", depth: 0 }];
  while (queue.length > 0) {
    const { node, path, depth } = queue.shift() as { node: unknown; path: string; depth: number };
    if (!isObject(node)) continue;
    if ("metrics" in node && "recent_drops" in node) return { kind: "home-assistant", value: node, path };
    if (depth >= 4) continue;
    for (const [key, child] of Object.entries(node).slice(0, 100)) queue.push({ node: child, path: `${path}.${key}`, depth: depth + 1 });
  }
  return null;
}

export function isHomeAssistantDiagnostics(value: unknown): boolean {
  return isObject(value) && isObject(value.home_assistant) && "data" in value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The crt:<number> code the drop's AWS CRT error stands for, else agent:<name>, else null (the collector saw no error). */
function dropCode(drop: CollectorDrop): string | null {
  if (!drop.error_name) return typeof drop.error_code === "number" ? `crt:${drop.error_code}` : null;
  const crt =
    findCrtNumber(drop.error_name) ??
    (typeof drop.error_code === "number" && drop.error_name.startsWith("AWS_ERROR_") ? drop.error_code : null);
  return crt !== null ? `crt:${crt}` : `agent:${drop.error_name}`;
}

/**
 * Drops and (re)connections as `device_report` events, in the vocabulary the agent's reports use (so the diagnosis
 * reads them the same way). Dedupe keys are the device, the record kind, its timestamp and name: periodic exports
 * overlap, and each record is stored once.
 */
export function toCollectorEvents(deviceId: string, data: CollectorExport): ConnectionEvent[] {
  return [
    ...data.recent_drops.map((drop) => toCollectorDropEvent(deviceId, drop)),
    ...(data.recent_connections ?? []).map((connection) => toCollectorConnectionEvent(deviceId, connection)),
  ];
}

const collectorEventDefaults = (deviceId: string) => ({
  ...EVENT_DEFAULTS,
  deviceId,
  kind: "device_report" as const,
  source: COLLECTOR_SOURCE,
  feed: FEEDS.collectorExport,
});

export function toCollectorDropEvent(deviceId: string, drop: CollectorDrop): ConnectionEvent {
  const code = dropCode(drop);
  const mapping = mapVendorCode(code, drop.error_message);
  const connected =
    drop.duration_connected_seconds === null || drop.duration_connected_seconds === undefined
      ? "an unknown time"
      : `${Math.round(drop.duration_connected_seconds)} s`;
  return {
    ...collectorEventDefaults(deviceId),
    occurredAt: new Date(drop.timestamp),
    // Without an error the collector only knows the connection was interrupted: a network loss as far as it can tell.
    reason: code === null ? "connection_lost" : mapping.reason,
    initiator: code === null ? "network" : mapping.initiator,
    code: code ?? "agent:CONNECTION_INTERRUPTED",
    message: `dropped after ${connected} connected: ${drop.error_message ?? drop.error_name ?? "connection interrupted"}`.slice(0, 600),
    dedupeKey: computeDedupeKey(COLLECTOR_SOURCE, [deviceId, "drop", drop.timestamp, drop.error_name]),
    raw: drop,
  };
}

export function toCollectorConnectionEvent(deviceId: string, connection: CollectorConnection): ConnectionEvent {
  return {
    ...collectorEventDefaults(deviceId),
    occurredAt: new Date(connection.timestamp),
    reason: "connected",
    initiator: "client",
    code: `connack:${connection.return_code ?? 0}`,
    sessionPresent: connection.session_present ?? null,
    message:
      connection.event_type === "connected"
        ? "connected"
        : `${connection.event_type.replace(/_/g, " ")} on attempt ${connection.attempt_number ?? 0}` +
          (connection.time_to_reconnect_seconds === null || connection.time_to_reconnect_seconds === undefined
            ? ""
            : ` after ${Math.round(connection.time_to_reconnect_seconds)} s offline`),
    dedupeKey: computeDedupeKey(COLLECTOR_SOURCE, [deviceId, "connection", connection.timestamp, connection.event_type]),
    raw: connection,
  };
}

/** The export's publish count at export time: one point of the device's message-count series. */
export function toCollectorSample(deviceId: string, data: CollectorExportEnvelope): DeviceSample | null {
  if (!data.timestamp || data.metrics.messages_published === null || data.metrics.messages_published === undefined) return null;
  return {
    ...EMPTY_VITALS,
    deviceId,
    series: COLLECTOR_SOURCE,
    at: new Date(data.timestamp),
    publishedMessages: data.metrics.messages_published,
  };
}

const EMPTY_VITALS = { rssiDbm: null, linkQualityPct: null, batteryPct: null, freeMemoryBytes: null, uptimeSec: null } as const;
