import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { z } from "zod";
import { type AdapterResult, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import {
  CountSchema,
  DeviceIdSchema,
  finishEvents,
  formatZodError,
  guard,
  isRecord,
  readInstant,
  reject,
  parseUntrustedJson,
} from "./adapter-kit.ts";
import { mapVendorCode, toVendorCode } from "./vendor-codes.ts";

export const AZURE_IOT_HUB_SOURCE = "azure-iot-hub";
export const AZURE_EGMQTT_SOURCE = "azure-event-grid-mqtt";
export const EVENT_GRID_VALIDATION_TYPE = "Microsoft.EventGrid.SubscriptionValidationEvent";

const short = z.string().max(1000).nullish();

/** Event Grid schema (`eventType`/`eventTime`) and CloudEvents schema (`type`/`time`) read into one shape. */
const EnvelopeSchema = z
  .object({
    id: z.string().max(200).nullish(),
    eventType: z.string().max(200).nullish(),
    type: z.string().max(200).nullish(),
    eventTime: z.string().max(64).nullish(),
    time: z.string().max(64).nullish(),
    subject: short,
    topic: short,
    source: short,
    data: z.unknown(),
  })
  .loose();

const IotHubDataSchema = z
  .object({
    deviceConnectionStateEventInfo: z
      .object({ sequenceNumber: z.string().regex(/^[0-9A-Fa-f]{1,64}$/, "sequenceNumber is not hex") })
      .loose(),
    hubName: z.string().max(300).nullish(),
    deviceId: DeviceIdSchema,
    moduleId: z.string().max(300).nullish(),
  })
  .loose();

const EgMqttDataSchema = z
  .object({
    namespaceName: z.string().max(300).nullish(),
    clientAuthenticationName: DeviceIdSchema,
    clientSessionName: z.string().max(300).nullish(),
    sequenceNumber: CountSchema,
    disconnectionReason: z.string().max(200).nullish(),
  })
  .loose();

export function isEventGridValidation(value: unknown): boolean {
  return isRecord(value) && (value.eventType === EVENT_GRID_VALIDATION_TYPE || value.type === EVENT_GRID_VALIDATION_TYPE);
}

/**
 * One Event Grid / CloudEvents event: IoT Hub DeviceConnected/DeviceDisconnected or Event Grid MQTT broker
 * MQTTClientSessionConnected/Disconnected. Other event types (created/updated/deleted, telemetry) are skipped.
 */
export function parseEventGridEvent(value: unknown): AdapterResult {
  return guard(() => {
    const parsed = EnvelopeSchema.safeParse(value);
    if (!parsed.success) return reject(`not an Event Grid event: ${formatZodError(parsed.error)}`);
    const env = parsed.data;
    const type = env.eventType ?? env.type;
    if (!type) return reject("Event Grid event has no eventType or type");
    const at = readInstant(env.eventTime ?? env.time);
    switch (type) {
      case "Microsoft.Devices.DeviceConnected":
      case "Microsoft.Devices.DeviceDisconnected":
        if (!at) return reject("Event Grid event has no valid eventTime/time");
        return buildIotHubEvent(type === "Microsoft.Devices.DeviceConnected", env.data, at, env.id ?? null, value);
      case "Microsoft.EventGrid.MQTTClientSessionConnected":
      case "Microsoft.EventGrid.MQTTClientSessionDisconnected":
        if (!at) return reject("Event Grid event has no valid eventTime/time");
        return buildEgMqttEvent(type === "Microsoft.EventGrid.MQTTClientSessionConnected", env.data, at, value);
      case EVENT_GRID_VALIDATION_TYPE:
        return { ok: true, events: [] };
      default:
        return { ok: true, events: [] };
    }
  });
}

function buildIotHubEvent(connected: boolean, data: unknown, at: Date, id: string | null, raw: unknown): AdapterResult {
  const parsed = IotHubDataSchema.safeParse(data);
  if (!parsed.success) return reject(`IoT Hub connection event data: ${formatZodError(parsed.error)}`);
  const d = parsed.data;
  return finishEvents([
    iotHubStateEvent({
      connected,
      deviceId: d.deviceId,
      moduleId: d.moduleId ?? null,
      hubName: d.hubName ?? null,
      sequenceNumber: d.deviceConnectionStateEventInfo.sequenceNumber,
      at,
      raw,
      eventId: id,
      feed: FEEDS.azureEventGrid,
    }),
  ]);
}

/** Event Grid carries no disconnect reason: the reason comes from the Connections resource log (§2.3). */
function iotHubStateEvent(input: {
  connected: boolean;
  deviceId: string;
  moduleId: string | null;
  hubName: string | null;
  sequenceNumber: string;
  at: Date;
  raw: unknown;
  eventId: string | null;
  feed: typeof FEEDS.azureEventGrid | typeof FEEDS.azureRouting;
}): ConnectionEvent {
  const deviceId = input.moduleId ? `${input.deviceId}/${input.moduleId}` : input.deviceId;
  const kind = input.connected ? "connected" : "disconnected";
  return buildConnectionEvent({
    deviceId,
    kind,
    occurredAt: input.at,
    reason: input.connected ? "connected" : "unknown",
    initiator: input.connected ? "client" : "unknown",
    source: AZURE_IOT_HUB_SOURCE,
    feed: input.feed,
    brokerNode: input.hubName,
    ordering: orderingOfSequenceNumber(input.sequenceNumber),
    // Keyed on the sequence number (strictly increasing per state change), not the Event Grid id, so the same
    // state change delivered by Event Grid and by message routing is stored once.
    dedupeKey: computeDedupeKey(AZURE_IOT_HUB_SOURCE, [kind, input.hubName?.toLowerCase(), deviceId, input.sequenceNumber.toUpperCase()]),
    raw: input.raw,
  });
}

/**
 * IoT Hub sequence numbers are 256-bit hex strings, compared as strings. Observed layout: a 64-bit FILETIME in
 * hex digits 16–31 and a counter at the end; the ordering key is FILETIME·64 + the counter's low 6 bits, which
 * fits a Postgres bigint until 2057. An unexpected layout yields no ordering (time is used instead).
 */
export function orderingOfSequenceNumber(sequenceNumber: string): bigint | null {
  const hex = sequenceNumber.padStart(64, "0");
  if (!/^0{16}/.test(hex)) return null;
  const filetime = BigInt(`0x${hex.slice(16, 32)}`);
  const counter = BigInt(`0x${hex.slice(48, 64)}`) & 63n;
  const ordering = filetime * 64n + counter;
  return ordering <= 9223372036854775807n ? ordering : null;
}

function buildEgMqttEvent(connected: boolean, data: unknown, at: Date, raw: unknown): AdapterResult {
  const parsed = EgMqttDataSchema.safeParse(data);
  if (!parsed.success) return reject(`Event Grid MQTT session event data: ${formatZodError(parsed.error)}`);
  const d = parsed.data;
  const sessionKey = `${d.namespaceName ?? ""}|${d.clientAuthenticationName}|${d.clientSessionName ?? ""}|${d.sequenceNumber}`;
  // Connected and Disconnected of one connection share sequenceNumber; doubling it orders them.
  const ordering = BigInt(d.sequenceNumber) * 2n + (connected ? 0n : 1n);
  // A missing or empty reason names no code: the disconnect's reason is unknown, as IoT Hub's empty resultType is.
  const name = connected ? null : d.disconnectionReason?.trim() || null;
  const code = name === null ? null : toVendorCode("azure-egmqtt", name);
  const mapped = connected ? { reason: "connected" as const, initiator: "client" as const } : mapVendorCode(code);
  return finishEvents([
    buildConnectionEvent({
      deviceId: d.clientAuthenticationName,
      kind: connected ? "connected" : "disconnected",
      occurredAt: at,
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      source: AZURE_EGMQTT_SOURCE,
      feed: FEEDS.egMqttEventGrid,
      brokerNode: d.namespaceName ?? null,
      sessionKey,
      ordering,
      // "Unknown" is what a missing reason was keyed by before it read as no code: a redelivery stays a duplicate.
      dedupeKey: computeDedupeKey(
        AZURE_EGMQTT_SOURCE,
        connected ? ["connected", sessionKey] : ["disconnected", sessionKey, name ?? "Unknown"],
      ),
      raw,
    }),
  ]);
}

const RoutedSchema = z.object({
  event: z
    .object({
      origin: z.string().max(600).nullish(),
      properties: z
        .object({
          application: z
            .object({
              hubName: z.string().max(300).nullish(),
              deviceId: DeviceIdSchema,
              moduleId: z.string().max(300).nullish(),
              opType: z.enum(["deviceConnected", "deviceDisconnected"]),
              operationTimestamp: z.string().max(64),
            })
            .loose(),
        })
        .loose(),
      payload: z.object({ sequenceNumber: z.string().regex(/^[0-9A-Fa-f]{1,64}$/, "sequenceNumber is not hex") }).loose(),
    })
    .loose(),
});

/** Routed `deviceConnectionStateEvents` as printed by `az iot hub monitor-events` (§2.2). */
export function parseRoutedConnectionState(value: unknown): AdapterResult {
  return guard(() => {
    const parsed = RoutedSchema.safeParse(value);
    if (!parsed.success) return reject(`not a routed deviceConnectionStateEvents message: ${formatZodError(parsed.error)}`);
    const app = parsed.data.event.properties.application;
    const at = readInstant(app.operationTimestamp);
    if (!at) return reject("operationTimestamp is not a time");
    return finishEvents([
      iotHubStateEvent({
        connected: app.opType === "deviceConnected",
        deviceId: app.deviceId,
        moduleId: app.moduleId || null,
        hubName: app.hubName ?? null,
        sequenceNumber: parsed.data.event.payload.sequenceNumber,
        at,
        raw: value,
        eventId: null,
        feed: FEEDS.azureRouting,
      }),
    ]);
  });
}

const ConnectionsLogSchema = z
  .object({
    time: z.string().max(64),
    resourceId: z.string().max(1000).nullish(),
    operationName: z.string().max(100),
    category: z.string().max(100).nullish(),
    level: z.string().max(40).nullish(),
    resultType: z.union([z.string().max(40), z.number()]).nullish(),
    resultDescription: z.string().max(500).nullish(),
    properties: z.unknown(),
    location: z.string().max(100).nullish(),
  })
  .loose();

const ConnectionsPropertiesSchema = z
  .object({
    deviceId: DeviceIdSchema,
    moduleId: z.string().max(300).nullish(),
    sdkVersion: z.string().max(300).nullish(),
    protocol: z.string().max(100).nullish(),
    maskedIpAddress: z.string().max(100).nullish(),
    statusCode: z.union([z.string().max(20), z.number()]).nullish(),
  })
  .loose();

/**
 * One Azure Monitor `Connections` resource-log record (§2.3), `properties` as JSON string or object; also the
 * Log Analytics `AzureDiagnostics` row shape (`TimeGenerated`, `OperationName`, `ResultType`, `properties_s`).
 */
export function parseAzureConnectionsLog(value: unknown): AdapterResult {
  return guard(() => {
    const record = normalizeLogAnalyticsRow(value);
    const parsed = ConnectionsLogSchema.safeParse(record);
    if (!parsed.success) return reject(`not an IoT Hub Connections log record: ${formatZodError(parsed.error)}`);
    const r = parsed.data;
    if (r.category != null && r.category !== "Connections") return { ok: true, events: [] };
    if (r.operationName !== "deviceConnect" && r.operationName !== "deviceDisconnect") return { ok: true, events: [] };
    const at = readInstant(r.time);
    if (!at) return reject(`time is not a timestamp: ${JSON.stringify(r.time).slice(0, 64)}`);
    let properties: unknown = r.properties;
    if (typeof properties === "string") {
      const nested = parseUntrustedJson(properties);
      if (!nested.ok) return reject(`properties is a string but not JSON this adapter accepts: ${nested.error}`);
      properties = nested.value;
    }
    const props = ConnectionsPropertiesSchema.safeParse(properties);
    if (!props.success) return reject(`Connections log properties: ${formatZodError(props.error)}`);
    const p = props.data;
    const deviceId = p.moduleId ? `${p.deviceId}/${p.moduleId}` : p.deviceId;
    const resultType = r.resultType == null || r.resultType === "" ? null : String(r.resultType);
    const isError = resultType !== null || r.level === "Error";
    const hub = hubNameOf(r.resourceId ?? null);
    const code = resultType ? `azure:${resultType}` : null;
    const mapped = mapVendorCode(code, r.resultDescription);
    const kind = r.operationName === "deviceConnect" ? (isError ? "connect_failed" : "connected") : "disconnected";
    const outcome = isError ? mapped : kind === "connected" ? CLEAN_CONNECT : CLEAN_DISCONNECT;
    const event = buildConnectionEvent({
      deviceId,
      kind,
      occurredAt: at,
      reason: outcome.reason,
      initiator: outcome.initiator,
      code,
      message: r.resultDescription || null,
      source: AZURE_IOT_HUB_SOURCE,
      feed: FEEDS.azureConnectionsLog,
      brokerNode: hub,
      clientIp: p.maskedIpAddress ?? null,
      dedupeKey: computeDedupeKey(AZURE_IOT_HUB_SOURCE, ["connections-log", r.operationName, hub, deviceId, r.time, resultType, r.level]),
      raw: value,
    });
    return finishEvents([event]);
  });
}

const CLEAN_CONNECT = { reason: "connected", initiator: "client" } as const;
const CLEAN_DISCONNECT = { reason: "client_disconnect", initiator: "client" } as const;

function normalizeLogAnalyticsRow(value: unknown): unknown {
  if (!isRecord(value) || !("TimeGenerated" in value || "OperationName" in value)) return value;
  return {
    time: value.TimeGenerated ?? value.time,
    resourceId: value.ResourceId ?? value._ResourceId ?? value.resourceId ?? null,
    operationName: value.OperationName,
    category: value.Category ?? null,
    level: value.Level ?? null,
    resultType: value.ResultType ?? null,
    resultDescription: value.ResultDescription ?? null,
    // A query that projected `DeviceId = tostring(parse_json(properties_s).deviceId)` and dropped properties_s.
    properties: value.properties_s ?? value.properties ?? (typeof value.DeviceId === "string" ? { deviceId: value.DeviceId } : null),
    location: value.Location ?? null,
  };
}

function hubNameOf(resourceId: string | null): string | null {
  if (!resourceId) return null;
  const match = /\/IOTHUBS\/([^/]+)/i.exec(resourceId);
  return match?.[1] ?? resourceId.slice(0, 300);
}

/** Picks the right Azure parser for one JSON record of an `azure-iot-hub` webhook or import. */
export function parseAzureRecord(value: unknown): AdapterResult {
  if (!isRecord(value)) return reject("record is not a JSON object");
  if ("eventType" in value || "specversion" in value || ("type" in value && "data" in value)) return parseEventGridEvent(value);
  if ("event" in value) return parseRoutedConnectionState(value);
  const localTime = Object.keys(value).find((key) => /^TimeGenerated \[(?!UTC\])/.test(key));
  if (localTime)
    return reject(
      `the export's time column is "${localTime.slice(0, 60)}", which names no offset: export again with the portal's display time zone set to UTC`,
    );
  if ("tables" in value)
    return reject(
      "a Log Analytics query API response (tables of columns and rows): send its rows as JSON objects (`az monitor log-analytics query` prints them so) or the portal's CSV export",
    );
  return parseAzureConnectionsLog(value);
}
