import { z } from "zod";
import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { type AdapterResult, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import {
  CountSchema,
  DeviceIdSchema,
  finishEvents,
  FlagSchema,
  formatZodError,
  guard,
  hasControlCharacters,
  InstantSchema,
  isRecord,
  parseUntrustedJson,
  readInstant,
  reject,
  splitAddress,
  type ReadResult,
} from "./adapter-kit.ts";
import { mapVendorCode, toVendorCode } from "./vendor-codes.ts";

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
    timestamp: InstantSchema,
    eventType: z.enum(["connected", "disconnected", "connect_failed", "subscribed", "unsubscribed"]),
    sessionIdentifier: text,
    principalIdentifier: text,
    ipAddress: text,
    versionNumber: CountSchema.nullish(),
    clientInitiatedDisconnect: FlagSchema.nullish(),
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

const PRESENCE_EVENT_TYPES = new Set(PresenceSchema.shape.eventType.options);

/**
 * The presence event as PresenceSchema reads it. Plain checks recognise the usual well-formed event (the schema would
 * return it unchanged); anything else goes through the schema, which words the rejection.
 */
function readPresence(value: unknown): ReadResult<Presence> {
  if (isPlainPresence(value)) return { ok: true, value };
  const parsed = PresenceSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `not an AWS IoT lifecycle event: ${formatZodError(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

function isPlainPresence(value: unknown): value is Presence {
  if (!isRecord(value)) return false;
  const { clientId, timestamp, versionNumber } = value;
  return (
    typeof clientId === "string" &&
    clientId.length >= 1 &&
    clientId.length <= 512 &&
    !hasControlCharacters(clientId) &&
    Number.isSafeInteger(timestamp) &&
    (timestamp as number) >= 0 &&
    typeof value.eventType === "string" &&
    PRESENCE_EVENT_TYPES.has(value.eventType as Presence["eventType"]) &&
    isTextOrNullish(value.thingName, 2000) &&
    isTextOrNullish(value.sessionIdentifier, 2000) &&
    isTextOrNullish(value.principalIdentifier, 2000) &&
    isTextOrNullish(value.ipAddress, 2000) &&
    (versionNumber == null || (Number.isSafeInteger(versionNumber) && (versionNumber as number) >= 0)) &&
    (value.clientInitiatedDisconnect == null || typeof value.clientInitiatedDisconnect === "boolean") &&
    isTextOrNullish(value.disconnectReason, 200) &&
    isTextOrNullish(value.connectFailureReason, 200)
  );
}

const isTextOrNullish = (value: unknown, max: number) => value == null || (typeof value === "string" && value.length <= max);

function parsePresence(value: unknown, topic: string | null): AdapterResult {
  const parsed = readPresence(value);
  if (!parsed.ok) return parsed;
  const data = parsed.value;
  const topicMatch = topic ? TOPIC_PATTERN.exec(topic) : null;
  // A topic outside `$aws/` is where an IoT rule republished the event (and where a `$share` group can read it: some
  // brokers deliver no `$` topic through one); the payload then says what it is.
  if (topic?.startsWith("$") && !topicMatch) return reject(`unrecognised AWS IoT topic: ${topic.slice(0, 200)}`);
  if (topicMatch && topicMatch[2] !== data.eventType)
    return reject(`topic says ${topicMatch[2]} but payload eventType is ${data.eventType}`);
  if (data.eventType === "subscribed" || data.eventType === "unsubscribed") return { ok: true, events: [] };

  const facts = readPresenceFacts(data);
  const version = data.versionNumber ?? null;
  const session = data.sessionIdentifier ?? null;
  const at = readInstant(data.timestamp);
  if (at === null) return reject(`timestamp is not a time: ${data.timestamp}`);
  // The docs give a bare IP; a relay may pass "ip:port" or "[v6]:port" on.
  const address = splitAddress(data.ipAddress);
  return finishEvents([
    buildConnectionEvent({
      deviceId: data.clientId,
      kind: facts.kind,
      occurredAt: at,
      reason: facts.reason,
      initiator: facts.initiator,
      code: facts.code,
      source: AWS_IOT_SOURCE,
      feed: FEEDS.awsPresence,
      // A refused connect has no session.
      sessionKey:
        facts.kind !== "connect_failed" && (session !== null || version !== null)
          ? `${data.clientId}|${session ?? ""}|${version ?? ""}`
          : null,
      // A connect and its disconnect share versionNumber; doubling it orders the connect before its own disconnect.
      ordering: version === null || facts.kind === "connect_failed" ? null : BigInt(version) * 2n + (facts.kind === "connected" ? 0n : 1n),
      clientIp: address.port === null ? (data.ipAddress ?? null) : address.ip,
      clientPort: address.port,
      username: data.principalIdentifier ?? null,
      flags: facts.flags,
      dedupeKey: facts.dedupeKey,
      raw: value,
    }),
  ]);
}

type Presence = z.infer<typeof PresenceSchema>;
type PresenceFacts = Pick<ConnectionEvent, "kind" | "reason" | "initiator" | "code" | "flags" | "dedupeKey">;

/** What differs between a connect, a disconnect and a refused connect. */
function readPresenceFacts(data: Presence): PresenceFacts {
  const session = data.sessionIdentifier ?? null;
  const version = data.versionNumber ?? null;
  if (data.eventType === "connected") {
    return {
      kind: "connected",
      reason: "connected",
      initiator: "client",
      code: null,
      flags: [],
      dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [data.eventType, data.clientId, session, version, data.timestamp]),
    };
  }
  if (data.eventType === "disconnected") {
    const name = data.disconnectReason ?? "UNKNOWN";
    const code = toVendorCode("aws", name);
    const mapped = mapVendorCode(code);
    const saysClient = code === "aws:CLIENT_INITIATED_DISCONNECT";
    const contradiction = data.clientInitiatedDisconnect != null && data.clientInitiatedDisconnect !== saysClient;
    return {
      kind: "disconnected",
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      flags: contradiction ? ["client_initiated_contradiction"] : [],
      dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [
        data.eventType,
        data.clientId,
        session,
        version,
        data.timestamp,
        name,
        String(data.clientInitiatedDisconnect),
      ]),
    };
  }
  const name = data.connectFailureReason ?? "UNKNOWN";
  const code = toVendorCode("aws", name);
  const mapped = mapVendorCode(code);
  return {
    kind: "connect_failed",
    reason: mapped.reason,
    initiator: mapped.initiator,
    code,
    flags: [],
    dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, [data.eventType, data.clientId, session, version, data.timestamp, name, data.ipAddress]),
  };
}

const CloudWatchSchema = z
  .object({
    timestamp: InstantSchema,
    logLevel: z.string().max(20).nullish(),
    traceId: z.string().max(200).nullish(),
    accountId: z.string().max(40).nullish(),
    status: z.string().max(40),
    eventType: z.string().max(40),
    protocol: z.string().max(40).nullish(),
    clientId: DeviceIdSchema,
    principalId: z.string().max(500).nullish(),
    sourceIp: z.string().max(100).nullish(),
    sourcePort: CountSchema.nullish(),
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
    const at = new Date(data.timestamp);
    const identity = ["cloudwatch", data.eventType, data.status, data.traceId, data.clientId, stampOf(value), data.sourcePort];
    const connected = data.eventType === "Connect" && data.status === "Success";
    // The failed Connect entry's reason field is undocumented; keep whichever is present, else the status.
    const name = connected
      ? null
      : data.eventType === "Connect"
        ? (data.reason ?? data.disconnectReason ?? data.status)
        : (data.disconnectReason ?? "UNKNOWN");
    const code = name === null ? null : toVendorCode("aws", name);
    const mapped = code === null ? { reason: "connected" as const, initiator: "client" as const } : mapVendorCode(code, data.details);
    return finishEvents([
      buildConnectionEvent({
        deviceId: data.clientId,
        kind: connected ? "connected" : data.eventType === "Connect" ? "connect_failed" : "disconnected",
        occurredAt: at,
        reason: mapped.reason,
        initiator: mapped.initiator,
        code,
        message: data.details ?? null,
        source: AWS_IOT_SOURCE,
        feed: FEEDS.awsCloudWatch,
        clientIp: data.sourceIp ?? null,
        clientPort: data.sourcePort ?? null,
        username: data.principalId ?? null,
        dedupeKey: computeDedupeKey(AWS_IOT_SOURCE, name === null ? identity : [...identity, name]),
        raw: value,
      }),
    ]);
  });
}

/** The entry's timestamp as written: the dedupe identity of entries stored before numbers were read too. */
function stampOf(value: unknown): string | number | null {
  const stamp = isRecord(value) ? value.timestamp : null;
  return typeof stamp === "string" || typeof stamp === "number" ? stamp : null;
}
