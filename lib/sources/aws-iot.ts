import { z } from "zod";
import { EVENT_DEFAULTS, type AdapterResult, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { DeviceIdSchema, finishEvents, formatZodError, guard, isRecord, parseUntrustedJson, readInstant, reject } from "./adapter-kit.ts";
import { mapVendorCode } from "./vendor-codes.ts";

export const AWS_IOT_SOURCE = "aws-iot";
/** `$aws/events/...` is never delivered through `#`; the presence topics must be named (lifecycle-formats.md §1.1). */
export const AWS_PRESENCE_TOPICS = [
  "$aws/events/presence/connected/+",
  "$aws/events/presence/disconnected/+",
  "$aws/events/presence/connect_failed/+",
] as const;

const TOPIC_PATTERN = /^\$aws\/events\/(presence|subscriptions)\/(connected|disconnected|connect_failed|subscribed|unsubscribed)\/(.+)$/;
const text = z.string().max(2000).nullish();

const PresenceSchema = z
  .object({
    clientId: DeviceIdSchema,
    thingName: text,
    timestamp: z.number().int().nonnegative(),
    eventType: z.enum(["connected", "disconnected", "connect_failed", "subscribed", "unsubscribed"]),
    sessionIdentifier: text,
    principalIdentifier: text,
    ipAddress: text,
    versionNumber: z.number().int().nonnegative().nullish(),
    clientInitiatedDisconnect: z.boolean().nullish(),
    disconnectReason: z.string().max(200).nullish(),
    connectFailureReason: z.string().max(200).nullish(),
  })
  .loose();

/** AWS IoT presence events (current and older payload shapes), from the MQTT topic or a rule/webhook delivery. */
export function parseAwsPresenceMessage(topic: string | null, payload: Buffer | string): AdapterResult {
  const json = parseUntrustedJson(payload);
  if (!json.ok) return json;
  return parseAwsRecord(json.value, topic);
}

/** One JSON record from a webhook or import: a presence event or a CloudWatch AWSIotLogsV2 entry. */
export function parseAwsRecord(value: unknown, topic: string | null = null): AdapterResult {
  if (isRecord(value) && (value.eventType === "Connect" || value.eventType === "Disconnect" || "logLevel" in value))
    return parseAwsCloudWatchEntry(value);
  return guard(() => parsePresence(value, topic));
}

function parsePresence(value: unknown, topic: string | null): AdapterResult {
  const parsed = PresenceSchema.safeParse(value);
  if (!parsed.success) return reject(`not an AWS IoT lifecycle event: ${formatZodError(parsed.error)}`);
  const data = parsed.data;
  const topicMatch = topic ? TOPIC_PATTERN.exec(topic) : null;
  // A topic outside `$aws/` is where an IoT rule republished the event (and where a `$share` group can read it: some
  // brokers deliver no `$` topic through one); the payload then says what it is.
  if (topic?.startsWith("$") && !topicMatch) return reject(`unrecognised AWS IoT topic: ${topic.slice(0, 200)}`);
  if (topicMatch && topicMatch[2] !== data.eventType)
    return reject(`topic says ${topicMatch[2]} but payload eventType is ${data.eventType}`);
  if (data.eventType === "subscribed" || data.eventType === "unsubscribed") return { ok: true, events: [] };

  const version = data.versionNumber ?? null;
  const session = data.sessionIdentifier ?? null;
  const common = {
    ...EVENT_DEFAULTS,
    deviceId: data.clientId,
    source: AWS_IOT_SOURCE,
    occurredAt: new Date(data.timestamp),
    clientIp: data.ipAddress ?? null,
    username: data.principalIdentifier ?? null,
    sessionKey: session !== null || version !== null ? `${data.clientId}|${session ?? ""}|${version ?? ""}` : null,
    raw: value,
  };
  // A connect and its disconnect share versionNumber; doubling it orders the connect before its own disconnect.
  const ordering = (kindBit: 0n | 1n) => (version === null ? null : BigInt(version) * 2n + kindBit);
  const identity = [data.eventType, data.clientId, session, version, data.timestamp];

  let event: ConnectionEvent;
  if (data.eventType === "connected") {
    event = {
      ...common,
      kind: "connected",
      reason: "connected",
      initiator: "client",
      ordering: ordering(0n),
      dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, identity),
    };
  } else if (data.eventType === "disconnected") {
    const name = data.disconnectReason ?? "UNKNOWN";
    const code = `aws:${name}`;
    const mapped = mapVendorCode(code);
    const flags: string[] = [];
    const saysClient = name === "CLIENT_INITIATED_DISCONNECT";
    if (data.clientInitiatedDisconnect != null && data.clientInitiatedDisconnect !== saysClient)
      flags.push("client_initiated_contradiction");
    event = {
      ...common,
      kind: "disconnected",
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      flags,
      ordering: ordering(1n),
      dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [...identity, name, String(data.clientInitiatedDisconnect)]),
    };
  } else {
    const name = data.connectFailureReason ?? "UNKNOWN";
    const code = `aws:${name}`;
    const mapped = mapVendorCode(code);
    event = {
      ...common,
      kind: "connect_failed",
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      sessionKey: null,
      dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [...identity, name, data.ipAddress]),
    };
  }
  return finishEvents([event]);
}

const CloudWatchSchema = z
  .object({
    timestamp: z.string().max(64),
    logLevel: z.string().max(20).nullish(),
    traceId: z.string().max(200).nullish(),
    accountId: z.string().max(40).nullish(),
    status: z.string().max(40),
    eventType: z.string().max(40),
    protocol: z.string().max(40).nullish(),
    clientId: DeviceIdSchema,
    principalId: z.string().max(500).nullish(),
    sourceIp: z.string().max(100).nullish(),
    sourcePort: z.number().int().min(0).max(65535).nullish(),
    disconnectReason: z.string().max(200).nullish(),
    reason: z.string().max(200).nullish(),
    details: z.string().max(2000).nullish(),
  })
  .loose();

/** CloudWatch Logs AWSIotLogsV2 message-broker entries (import): Connect and Disconnect; other event types are skipped. */
export function parseAwsCloudWatchEntry(value: unknown): AdapterResult {
  return guard(() => {
    const parsed = CloudWatchSchema.safeParse(value);
    if (!parsed.success) return reject(`not an AWSIotLogsV2 entry: ${formatZodError(parsed.error)}`);
    const data = parsed.data;
    if (data.eventType !== "Connect" && data.eventType !== "Disconnect") return { ok: true, events: [] };
    const at = readInstant(data.timestamp);
    if (!at) return reject(`timestamp is not a time: ${data.timestamp.slice(0, 64)}`);
    const common = {
      ...EVENT_DEFAULTS,
      deviceId: data.clientId,
      source: AWS_IOT_SOURCE,
      occurredAt: at,
      clientIp: data.sourceIp ?? null,
      clientPort: data.sourcePort ?? null,
      username: data.principalId ?? null,
      message: data.details ?? null,
      raw: value,
    };
    const identity = ["cloudwatch", data.eventType, data.status, data.traceId, data.clientId, data.timestamp, data.sourcePort];
    if (data.eventType === "Connect" && data.status === "Success") {
      return finishEvents([
        { ...common, kind: "connected", reason: "connected", initiator: "client", dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, identity) },
      ]);
    }
    if (data.eventType === "Connect") {
      // The failed Connect entry's reason field is undocumented; keep whichever is present, else the status.
      const name = data.reason ?? data.disconnectReason ?? data.status;
      const code = `aws:${name}`;
      const mapped = mapVendorCode(code, data.details);
      return finishEvents([
        {
          ...common,
          kind: "connect_failed",
          reason: mapped.reason,
          initiator: mapped.initiator,
          code,
          dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [...identity, name]),
        },
      ]);
    }
    const name = data.disconnectReason ?? "UNKNOWN";
    const code = `aws:${name}`;
    const mapped = mapVendorCode(code, data.details);
    return finishEvents([
      {
        ...common,
        kind: "disconnected",
        reason: mapped.reason,
        initiator: mapped.initiator,
        code,
        dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [...identity, name]),
      },
    ]);
  });
}
