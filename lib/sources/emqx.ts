import { z } from "zod";
import { ConnectionEventSchema, EVENT_DEFAULTS, type AdapterResult, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { parseUntrustedJson } from "./adapter-kit.ts";
import { CONNACK_SUCCESS_NAMES } from "./emqx-reasons.ts";
import { mapVendorCode } from "./vendor-codes.ts";

export const EMQX_SOURCE = "emqx";

/** One subscription covers connected, disconnected and connack for every node and client ID (IDs may contain `/`). */
export const EMQX_LIFECYCLE_TOPICS = ["$SYS/brokers/+/clients/#"] as const;

const TOPIC_PATTERN = /^\$SYS\/brokers\/([^/]+)\/clients\/(.+)\/(connected|disconnected|connack)$/;
/** Rule-engine event topics, old (`$events/client_connected`) and 6.x (`$events/client/connected`) spellings. */
const EVENTS_TOPIC_PATTERN = /^\$events\/client[_/](connected|disconnected|connack)$/;
const RULE_EVENTS = {
  "client.connected": "connected",
  "client.disconnected": "disconnected",
  "client.connack": "connack",
} as const;

const epochMs = z.number().int().nonnegative();
const optionalText = z.string().nullish();

/** Fields shared by `$SYS` presence payloads (4.x and 5.x) and rule-engine client events. */
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
    sockport: z.number().int().nullish(),
    proto_name: optionalText,
    proto_ver: z.number().int().nullish(),
    keepalive: z.number().int().nonnegative().nullish(),
    clean_start: z.boolean().nullish(),
    connected_at: epochMs.nullish(),
    disconnected_at: epochMs.nullish(),
    ts: epochMs.nullish(),
    timestamp: epochMs.nullish(),
    reason: optionalText,
    reason_code: optionalText,
    node: optionalText,
    event: optionalText,
    disconn_props: z.unknown().optional(),
  })
  .loose();
type EmqxPayload = z.infer<typeof EmqxPayloadSchema>;

type EmqxEventType = "connected" | "disconnected" | "connack";

/**
 * EMQX source adapter: `$SYS/brokers/<node>/clients/<clientid>/connected|disconnected` (4.x and 5.x) and the
 * rule-engine `client.connected|disconnected|connack` events, to canonical events. Pure: no I/O.
 */
export function parseEmqxMessage(topic: string, payload: Buffer | string): AdapterResult {
  // Strict UTF-8, bounded size, no prototype-pollution keys (adapter-kit.ts).
  const decoded = parseUntrustedJson(payload);
  if (!decoded.ok) return decoded;
  const json = decoded.value;
  const parsed = EmqxPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `not an EMQX client event: ${formatZodError(parsed.error)}` };
  const data = parsed.data;

  const topicMatch = TOPIC_PATTERN.exec(topic);
  const eventFromPayload = data.event ? RULE_EVENTS[data.event as keyof typeof RULE_EVENTS] : undefined;
  const eventsTopicType = EVENTS_TOPIC_PATTERN.exec(topic)?.[1] as EmqxEventType | undefined;
  const type: EmqxEventType | undefined =
    (topicMatch?.[3] as EmqxEventType | undefined) ?? eventsTopicType ?? eventFromPayload ?? inferEventType(data);
  if (!type) return { ok: false, error: `unrecognised EMQX topic or event: ${topic}` };
  const node = topicMatch?.[1] ?? data.node ?? null;

  try {
    const event = buildEvent(type, data, node, json);
    if (!event) return { ok: true, events: [] };
    const checked = ConnectionEventSchema.safeParse(event);
    if (!checked.success) return { ok: false, error: `invalid canonical event: ${formatZodError(checked.error)}` };
    return { ok: true, events: [checked.data] };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** A webhook delivery without topic or `event` field: the fields tell which event it is. */
function inferEventType(data: EmqxPayload): EmqxEventType | undefined {
  if (data.reason_code != null) return "connack";
  if (data.disconnected_at != null || data.reason != null) return "disconnected";
  if (data.connected_at != null) return "connected";
  return undefined;
}

function buildEvent(type: EmqxEventType, data: EmqxPayload, node: string | null, raw: unknown): ConnectionEvent | null {
  const { ip, port } = readAddress(data);
  const common = {
    ...EVENT_DEFAULTS,
    deviceId: data.clientid,
    source: EMQX_SOURCE,
    brokerNode: node,
    clientIp: ip,
    clientPort: port,
    protocolVersion: data.proto_ver ?? null,
    keepaliveSec: data.keepalive ?? null,
    cleanStart: data.clean_start ?? null,
    username: data.username ?? null,
    raw,
  };
  const sessionKey = data.connected_at != null ? `${node ?? ""}|${data.clientid}|${data.connected_at}` : null;

  if (type === "connected") {
    const at = data.connected_at ?? data.ts ?? data.timestamp;
    if (at == null) throw new Error("connected event has no connected_at or ts");
    return {
      ...common,
      kind: "connected",
      occurredAt: new Date(at),
      reason: "connected",
      initiator: "client",
      sessionKey,
      dedupeKey: computeDedupeKey(EMQX_SOURCE, ["connected", node, data.clientid, at]),
    };
  }

  if (type === "disconnected") {
    const at = data.disconnected_at ?? data.ts ?? data.timestamp;
    if (at == null) throw new Error("disconnected event has no disconnected_at or ts");
    const atom = data.reason ?? "unknown";
    const reasonString = reasonStringOf(data.disconn_props);
    const mapped = mapVendorCode(`emqx:${atom}`, reasonString);
    const flags: string[] = [];
    if (data.connected_at != null && at < data.connected_at) flags.push("disconnected_before_connected");
    return {
      ...common,
      kind: "disconnected",
      occurredAt: new Date(at),
      reason: mapped.reason,
      initiator: mapped.initiator,
      code: `emqx:${atom}`,
      message: reasonString,
      sessionKey,
      flags,
      dedupeKey: computeDedupeKey(EMQX_SOURCE, ["disconnected", node, data.clientid, data.connected_at, at, atom]),
    };
  }

  const name = data.reason_code ?? "unknown";
  if (CONNACK_SUCCESS_NAMES.has(name)) return null; // the matching `connected` event carries the success
  const at = data.timestamp ?? data.connected_at ?? data.ts;
  if (at == null) throw new Error("connack event has no timestamp");
  const mapped = mapVendorCode(`emqx:${name}`);
  return {
    ...common,
    kind: "connect_failed",
    occurredAt: new Date(at),
    reason: mapped.reason,
    initiator: mapped.initiator,
    code: `emqx:${name}`,
    dedupeKey: computeDedupeKey(EMQX_SOURCE, ["connack", node, data.clientid, at, name, data.peername ?? data.ipaddress]),
  };
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

function formatZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}
