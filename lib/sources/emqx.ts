import { z } from "zod";
import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS, type Feed } from "@/lib/events/feeds.ts";
import {
  CountSchema,
  finishEvents,
  FlagSchema,
  formatZodError,
  guard,
  InstantSchema,
  isRecord,
  parseUntrustedJson,
  readInstant,
  type ReadResult,
} from "./adapter-kit.ts";
import { CONNACK_SUCCESS_NAMES } from "./emqx-reasons.ts";
import type { MessageContext } from "./registry.ts";
import { mapVendorCode, toVendorCode } from "./vendor-codes.ts";

export const EMQX_SOURCE = "emqx";

/** One subscription covers connected, disconnected and connack for every node and client ID (IDs may contain `/`). */
export const EMQX_LIFECYCLE_TOPICS = ["$SYS/brokers/+/clients/#"] as const;

/** MQTT clients, and gateway (non-MQTT) clients under `gateway/<gwName>/` (§3.1). */
const TOPIC_PATTERN =
  /^\$SYS\/brokers\/([^/]+)\/(?:gateway\/[^/]+\/)?clients\/(.+)\/(connected|disconnected|connack|subscribed|unsubscribed)$/;
/** Rule-engine event topics, old (`$events/client_connected`) and 6.x (`$events/client/connected`) spellings. */
const EVENTS_TOPIC_PATTERN = /^\$events\/client[_/](connected|disconnected|connack)$/;
const RULE_EVENTS = {
  "client.connected": "connected",
  "client.disconnected": "disconnected",
  "client.connack": "connack",
} as const;
/** The 4.x web_hook plugin names its event in `action`; its disconnect and CONNACK bodies carry no time. */
const WEB_HOOK_ACTIONS = {
  client_connected: "connected",
  client_disconnected: "disconnected",
  client_connack: "connack",
} as const;

const optionalText = z.string().nullish();

/**
 * Fields shared by `$SYS` presence payloads (4.x and 5.x) and rule-engine client events. A webhook body template
 * that quotes its placeholders (`"connected_at": "${connected_at}"`) sends numbers and booleans as text.
 */
const EmqxPayloadSchema = z
  .object({
    clientid: z
      .string()
      .min(1, "clientid is empty")
      .max(512)
      .refine((id) => !id.includes("\u0000"), "clientid contains NUL"),
    username: optionalText,
    ipaddress: optionalText,
    peername: optionalText,
    sockport: CountSchema.nullish(),
    proto_name: optionalText,
    /** MQTT clients: the protocol level; gateway clients (CoAP, LwM2M, MQTT-SN…) may report a version string. */
    proto_ver: z.union([CountSchema, z.string().max(40)]).nullish(),
    keepalive: CountSchema.nullish(),
    clean_start: FlagSchema.nullish(),
    connected_at: InstantSchema.nullish(),
    disconnected_at: InstantSchema.nullish(),
    ts: InstantSchema.nullish(),
    timestamp: InstantSchema.nullish(),
    reason: optionalText,
    reason_code: optionalText,
    node: optionalText,
    event: optionalText,
    action: optionalText,
    conn_ack: z.union([z.string(), z.number()]).nullish(),
    disconn_props: z.unknown().optional(),
  })
  .loose();
type EmqxPayload = z.infer<typeof EmqxPayloadSchema>;

type EmqxEventType = "connected" | "disconnected" | "connack";

/**
 * EMQX source adapter: `$SYS/brokers/<node>/clients/<clientid>/connected|disconnected` (4.x and 5.x) and the
 * rule-engine `client.connected|disconnected|connack` events, to canonical events. Pure: no I/O.
 */
export function parseEmqxMessage(topic: string, payload: Buffer | string, context: MessageContext = {}): AdapterResult {
  // Strict UTF-8, bounded size, no prototype-pollution keys (adapter-kit.ts).
  const decoded = parseUntrustedJson(payload);
  if (!decoded.ok) return decoded;
  const json = decoded.value;
  const data = readEmqxPayload(json);
  if (!data.ok) return data;

  const topicMatch = TOPIC_PATTERN.exec(topic);
  if (isOtherClientEvent(topic, topicMatch?.[3], data.value)) return { ok: true, events: [] };
  const eventFromPayload = data.value.event
    ? RULE_EVENTS[data.value.event as keyof typeof RULE_EVENTS]
    : data.value.action
      ? WEB_HOOK_ACTIONS[data.value.action as keyof typeof WEB_HOOK_ACTIONS]
      : undefined;
  const eventsTopicType = EVENTS_TOPIC_PATTERN.exec(topic)?.[1] as EmqxEventType | undefined;
  const type: EmqxEventType | undefined =
    (topicMatch?.[3] as EmqxEventType | undefined) ?? eventsTopicType ?? eventFromPayload ?? inferEventType(data.value);
  if (!type)
    return { ok: false, error: topic === "" ? describeUnnamedRuleOutput(data.value) : `unrecognised EMQX topic or event: ${topic}` };
  const node = topicMatch?.[1] ?? data.value.node ?? null;
  const feed = topicMatch
    ? FEEDS.emqxSys
    : data.value.event == null && data.value.action != null
      ? FEEDS.emqxWebHook
      : FEEDS.emqxRuleEvents;

  return guard(() => {
    const event = buildEvent(type, data.value, node, feed, json, context.receivedAt ?? null);
    return event ? finishEvents([event]) : { ok: true, events: [] };
  });
}

/**
 * The payload as EmqxPayloadSchema reads it. Plain checks recognise the usual well-formed payload (the schema would
 * return it unchanged); anything else goes through the schema, which words the rejection.
 */
function readEmqxPayload(json: unknown): ReadResult<EmqxPayload> {
  if (isPlainEmqxPayload(json)) return { ok: true, value: json };
  const parsed = EmqxPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `not an EMQX client event: ${formatZodError(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

function isPlainEmqxPayload(json: unknown): json is EmqxPayload {
  if (!isRecord(json)) return false;
  const { clientid } = json;
  return (
    typeof clientid === "string" &&
    clientid.length >= 1 &&
    clientid.length <= 512 &&
    !clientid.includes("\u0000") &&
    isTextOrNullish(json.username) &&
    isTextOrNullish(json.ipaddress) &&
    isTextOrNullish(json.peername) &&
    isIntegerOrNullish(json.sockport, Number.MIN_SAFE_INTEGER) &&
    isTextOrNullish(json.proto_name) &&
    (isIntegerOrNullish(json.proto_ver, Number.MIN_SAFE_INTEGER) || (typeof json.proto_ver === "string" && json.proto_ver.length <= 40)) &&
    isIntegerOrNullish(json.keepalive, 0) &&
    (json.clean_start == null || typeof json.clean_start === "boolean") &&
    isIntegerOrNullish(json.connected_at, 0) &&
    isIntegerOrNullish(json.disconnected_at, 0) &&
    isIntegerOrNullish(json.ts, 0) &&
    isIntegerOrNullish(json.timestamp, 0) &&
    isTextOrNullish(json.reason) &&
    isTextOrNullish(json.reason_code) &&
    isTextOrNullish(json.node) &&
    isTextOrNullish(json.event) &&
    isTextOrNullish(json.action) &&
    json.conn_ack == null
  );
}

const isTextOrNullish = (value: unknown) => value == null || typeof value === "string";
const isIntegerOrNullish = (value: unknown, min: number) => value == null || (Number.isSafeInteger(value) && (value as number) >= min);

/**
 * A well-formed EMQX event that is not a connect, disconnect or CONNACK: `$SYS/.../subscribed|unsubscribed`, and the
 * other rule-engine events (authn/authz checks, ping, session and message events, §3.2). They carry no connection
 * change; an authentication failure is reported again by the `client.connack` that refuses the client.
 */
function isOtherClientEvent(topic: string, sysEvent: string | undefined, data: EmqxPayload): boolean {
  if (sysEvent === "subscribed" || sysEvent === "unsubscribed") return true;
  if (topic.startsWith("$events/") && !EVENTS_TOPIC_PATTERN.test(topic)) return true;
  if (data.event != null && !Object.hasOwn(RULE_EVENTS, data.event)) return true;
  if (data.event == null && data.action != null && !Object.hasOwn(WEB_HOOK_ACTIONS, data.action)) return true;
  // A SELECT without `event`: authz results carry `authz_source`/`result`, authn results `is_superuser`/`is_anonymous`.
  const fields = data as Record<string, unknown>;
  return topic === "" && ("authz_source" in fields || "is_superuser" in fields || "is_anonymous" in fields);
}

/**
 * A webhook body whose SELECT kept neither `event` nor a field that tells the event, like the docs' own client_connected
 * sample (§3.2). Every client event has a time (`timestamp`, `connected_at`); one the rule did not select is not
 * replaced by the delivery's: the connect would have no session key and a redelivery would be stored twice.
 */
function describeUnnamedRuleOutput(data: EmqxPayload): string {
  const fields = data as Record<string, unknown>;
  const looksConnected = ["is_bridge", "keepalive", "expiry_interval", "conn_props"].some((field) => field in fields);
  return (
    "EMQX rule output names no event: no `event` field, and none of connected_at, disconnected_at, reason or reason_code " +
    `to tell it by${looksConnected ? " (its fields are a client.connected's, but without its time)" : ""}; ` +
    "add event, timestamp and connected_at to the rule's SELECT (or SELECT *)"
  );
}

/** A webhook delivery without topic or `event` field: the fields tell which event it is. */
function inferEventType(data: EmqxPayload): EmqxEventType | undefined {
  if (data.reason_code != null) return "connack";
  if (data.disconnected_at != null || data.reason != null) return "disconnected";
  if (data.connected_at != null) return "connected";
  return undefined;
}

function buildEvent(
  type: EmqxEventType,
  data: EmqxPayload,
  node: string | null,
  feed: Feed,
  raw: unknown,
  receivedAt: Date | null,
): ConnectionEvent | null {
  const facts = readEventFacts(type, data, node, receivedAt);
  if (!facts) return null;
  const { ip, port } = readAddress(data);
  return buildConnectionEvent({
    deviceId: data.clientid,
    kind: facts.kind,
    occurredAt: toDate(facts.at),
    reason: facts.reason,
    initiator: facts.initiator,
    code: facts.code,
    message: facts.message,
    source: EMQX_SOURCE,
    feed,
    brokerNode: node,
    // A refused connect has no session.
    sessionKey: facts.kind !== "connect_failed" && data.connected_at != null ? `${node ?? ""}|${data.clientid}|${data.connected_at}` : null,
    clientIp: ip,
    clientPort: port,
    protocolVersion: typeof data.proto_ver === "number" ? data.proto_ver : null,
    keepaliveSec: data.keepalive ?? null,
    cleanStart: data.clean_start ?? null,
    username: data.username ?? null,
    flags: facts.flags,
    dedupeKey: facts.dedupeKey,
    raw,
  });
}

type EventFacts = Pick<ConnectionEvent, "kind" | "reason" | "initiator" | "code" | "message" | "flags" | "dedupeKey"> & { at: number };

/** What differs between a connect, a disconnect and a refused connect; null for a successful CONNACK. */
function readEventFacts(type: EmqxEventType, data: EmqxPayload, node: string | null, receivedAt: Date | null): EventFacts | null {
  // The web_hook plugin posts as the event happens: its delivery time stands in for the time its body lacks.
  const received = receivedAt?.getTime() ?? null;
  const timeFlags = (at: number | null | undefined) => (at == null && received !== null ? ["time_of_receipt"] : []);
  if (type === "connected") {
    const at = data.connected_at ?? data.ts ?? data.timestamp;
    if (at == null) throw new Error("client.connected has no connected_at, ts or timestamp: add connected_at to the rule's SELECT");
    return {
      kind: "connected",
      at,
      reason: "connected",
      initiator: "client",
      code: null,
      message: null,
      flags: [],
      dedupeKey: computeDedupeKey(EMQX_SOURCE, ["connected", node, data.clientid, at]),
    };
  }

  if (type === "disconnected") {
    const stamped = data.disconnected_at ?? data.ts ?? data.timestamp;
    const at = stamped ?? received;
    if (at == null)
      throw new Error("disconnected event has no disconnected_at, ts or timestamp, and no delivery time stands in (a file gives none)");
    const atom = data.reason ?? "unknown";
    const reasonString = reasonStringOf(data.disconn_props);
    const code = toVendorCode("emqx", atom);
    const mapped = mapVendorCode(code, reasonString);
    return {
      kind: "disconnected",
      at,
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      message: reasonString,
      flags: [...timeFlags(stamped), ...(data.connected_at != null && at < data.connected_at ? ["disconnected_before_connected"] : [])],
      dedupeKey: computeDedupeKey(EMQX_SOURCE, ["disconnected", node, data.clientid, data.connected_at, at, atom]),
    };
  }

  const name = data.reason_code ?? (data.conn_ack === 0 ? "success" : data.conn_ack != null ? String(data.conn_ack) : "unknown");
  if (CONNACK_SUCCESS_NAMES.has(name.toLowerCase())) return null; // the matching `connected` event carries the success
  const stamped = data.timestamp ?? data.connected_at ?? data.ts;
  const at = stamped ?? received;
  if (at == null) throw new Error("connack event has no timestamp, and no delivery time stands in (a file gives none)");
  const code = toVendorCode("emqx", name);
  const mapped = mapVendorCode(code);
  return {
    kind: "connect_failed",
    at,
    reason: mapped.reason,
    initiator: mapped.initiator,
    code,
    message: null,
    flags: timeFlags(stamped),
    dedupeKey: computeDedupeKey(EMQX_SOURCE, ["connack", node, data.clientid, at, name, data.peername ?? data.ipaddress]),
  };
}

/** EMQX times are epoch ms; a templated or hand-written body may give seconds (adapter-kit's readInstant). */
function toDate(epoch: number): Date {
  const at = readInstant(epoch);
  if (at === null) throw new Error(`not a time: ${epoch}`);
  return at;
}

/** The MQTT 5 `Reason-String` of a DISCONNECT (`disconn_props`), which may say what a catch-all atom does not. */
function reasonStringOf(props: unknown): string | null {
  if (typeof props !== "object" || props === null) return null;
  const value = (props as Record<string, unknown>)["Reason-String"];
  return typeof value === "string" ? value.slice(0, 500) : null;
}

/** `ipaddress` is the bare IP ($SYS); `peername` is "ip:port" or "[v6]:port" (rule engine). */
function readAddress(data: EmqxPayload): { ip: string | null; port: number | null } {
  if (data.peername) {
    const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(data.peername);
    if (match) return { ip: match[1] ?? null, port: Number(match[2]) };
    return { ip: data.peername, port: null };
  }
  return { ip: data.ipaddress ?? null, port: null };
}
