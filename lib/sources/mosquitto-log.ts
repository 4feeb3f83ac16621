import { isIP } from "node:net";
import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { type AdapterResult, type ConnectionEvent, type EventKind } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS, type Feed } from "@/lib/events/feeds.ts";
import { createSyslogYearReader, type SyslogYearOptions, type SyslogYearReader, type YearlessTime } from "@/lib/time/syslog-year.ts";
import { readBsdTime, splitCollectorPrefix } from "./collector-prefix.ts";
import { decodeText, finishEvents, guard, hasControlCharacters, readInstant, reject } from "./adapter-kit.ts";
import { mapVendorCode, slugify } from "./vendor-codes.ts";

export const MOSQUITTO_SOURCE = "mosquitto";
export const MOSQUITTO_LOG_TOPICS = ["$SYS/broker/log/#"] as const;
const MAX_LINE = 8 * 1024;
const UNKNOWN_ID = "<unknown>";

type Address = { ip: string; port: number | null };
type Pending = Address & { note: string | null };
type Client = Address & {
  sessionKey: string;
  protocol: number | null;
  clean: boolean | null;
  keepalive: number | null;
  username: string | null;
};

export type MosquittoLogParser = {
  /** One log line (file import) or one `$SYS/broker/log/<level>` payload. */
  parseLine(line: string, receivedAt?: Date): AdapterResult;
  /** The MQTT adapter signature, for the live worker. */
  parse(topic: string, payload: Buffer | string, context?: { receivedAt?: Date }): AdapterResult;
};

/** Slug of each 2.0.x / 1.x disconnect line (the `%s` is the client ID) and each 2.1.1+ `disconnected: <reason>.` */
const V2_DISCONNECT_LINES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Client (.+) disconnected, not authorised\.$/, "not-authorised"],
  [/^Client (.+) disconnected, no longer authorised\.$/, "no-longer-authorised"],
  [/^Client (.+) closed its connection\.$/, "closed-connection"],
  [/^Client (.+) has exceeded timeout, disconnecting\.$/, "exceeded-timeout"],
  [/^Client (.+) disconnected due to protocol error\.$/, "protocol-error"],
  [/^Client (.+) disconnected due to malformed packet\.$/, "malformed-packet"],
  [/^Client (.+) disconnected due to oversize packet\.$/, "oversize-packet"],
  [/^Client (.+) disconnected due to oversize payload\.$/, "oversize-payload"],
  [/^Client (.+) disconnected due to out of memory\.$/, "out-of-memory"],
  [/^Client (.+) disconnected due to (?:QoS too high or retain not supported|using not allowed feature .*)\.$/, "disallowed-feature"],
  [/^Client (.+) been disconnected by administrative action\.$/, "administrative-action"],
  [/^Socket error on client (.+), disconnecting\.$/, "socket-error"],
  [/^Client (.+) already connected, closing old connection\.$/, "session-taken-over"],
  [/^Client (.+) disconnected\.$/, "disconnected"],
];

const V21_REASONS: Readonly<Record<string, string>> = {
  "malformed packet": "malformed-packet",
  "protocol error": "protocol-error",
  "connection closed by client": "closed-connection",
  "not authorised": "not-authorised",
  "exceeded timeout": "exceeded-timeout",
  "oversize packet": "oversize-packet",
  "oversize payload": "oversize-payload",
  "out of memory": "out-of-memory",
  "used disallowed feature (QoS too high, retain not supported, or bad AUTH method)": "disallowed-feature",
  "administrative action": "administrative-action",
  "receive maximum exceeded": "receive-maximum-exceeded",
  "implementation specific error": "implementation-specific-error",
  "client identifier not valid": "client-identifier-not-valid",
  "bad username or password": "bad-username-or-password",
  "server unavailable": "server-unavailable",
  "server busy": "server-busy",
  "client banned": "client-banned",
  "bad authentication method": "bad-authentication-method",
  "quota exceeded": "quota-exceeded",
  "connection rate exceeded": "connection-rate-exceeded",
  "session taken over": "session-taken-over",
  "topic alias invalid": "topic-alias-invalid",
  "non-matching http origin": "non-matching-http-origin",
};

/** Auth and protocol failures of a client that never connected are refused connects, not disconnects. */
const REFUSAL_SLUGS = new Set([
  "not-authorised",
  "bad-username-or-password",
  "client-identifier-not-valid",
  "client-banned",
  "bad-authentication-method",
  "server-unavailable",
  "server-busy",
  "connection-rate-exceeded",
]);

/**
 * Mosquitto log adapter (1.x, 2.0.x, 2.1.x lines; lifecycle-formats.md §4). Stateful but bounded: it remembers
 * the last `maxTracked` "New connection from" addresses (to attribute `<unknown>` failures) and connected
 * clients (for session keys and addresses). Lines that are not lifecycle lines yield no events.
 */
export function createMosquittoLogParser(
  options: {
    brokerNode?: string | null;
    maxTracked?: number;
    /** Year-less syslog prefixes: the import's time and the year the user gave (default: the line's receipt, inferred). */
    syslogYear?: SyslogYearOptions;
  } = {},
): MosquittoLogParser {
  const brokerNode = options.brokerNode ?? null;
  const maxTracked = options.maxTracked ?? 10_000;
  let yearReader: SyslogYearReader | null = null;
  const pending = new Map<string, Pending>();
  const clients = new Map<string, Client>();
  let latestPendingKey: string | null = null;
  let lastSecond: number | null = null;
  let sequence = 0;
  // The line being read came from a file or from the broker's `$SYS/broker/log` topic.
  let feed: Feed = FEEDS.mosquittoLogFile;

  function remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > maxTracked) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }

  function parseLine(rawLine: string, receivedAt?: Date, from: Feed = FEEDS.mosquittoLogFile): AdapterResult {
    feed = from;
    return guard(() => {
      const line = rawLine.replace(/\r?\n$/, "");
      if (line.length > MAX_LINE) return reject(`log line too long: ${line.length} characters (limit ${MAX_LINE})`);
      if (hasControlCharacters(line.replace(/\t/g, " "))) return reject("log line contains control characters");
      const stamped = splitTimestamp(line);
      if (!stamped) return { ok: true, events: [] };
      if ("error" in stamped) return reject(stamped.error);
      let { seconds } = stamped;
      const { message } = stamped;
      const yearFlags: string[] = [];
      if (stamped.yearless) {
        yearReader ??= createSyslogYearReader(options.syslogYear ?? { reference: receivedAt ?? new Date() });
        const placed = yearReader.place(stamped.yearless);
        if (!placed) return reject("syslog time is a date no year has");
        seconds = Math.floor(placed.at.getTime() / 1000);
        yearFlags.push(placed.flag);
      }
      if (seconds === null) {
        if (!receivedAt) return reject("log line has no timestamp");
        seconds = Math.floor(receivedAt.getTime() / 1000);
      }
      // Lines carry whole seconds; the position within the second keeps their order (connect before disconnect).
      if (seconds !== lastSecond) {
        lastSecond = seconds;
        sequence = 0;
      } else sequence = Math.min(sequence + 1, 999);
      const at = new Date(seconds * 1000 + sequence);
      const identity = [seconds, sequence, message];
      const events = readMessage(message, at, identity, line);
      for (const event of events) event.flags.push(...yearFlags);
      return finishEvents(events);
    });
  }

  function readMessage(message: string, at: Date, identity: ReadonlyArray<string | number>, raw: string): ConnectionEvent[] {
    let m = /^New connection from (\S+) on port (\d{1,5})\.$/.exec(message);
    if (m) {
      const address = splitLoggedAddress(m[1] ?? "");
      latestPendingKey = addressKey(address);
      remember(pending, latestPendingKey, { ...address, note: null });
      return [];
    }
    m = /^New (?:client|bridge) connected from (\S+) as (.+) \(p(\d+), c([01]), k(\d+)(?:, u'(.*)')?\)\.$/.exec(message);
    if (m) {
      const address = splitLoggedAddress(m[1] ?? "");
      pending.delete(addressKey(address));
      const clientId = m[2] ?? "";
      const client: Client = {
        ...address,
        sessionKey: `${brokerNode ?? ""}|${clientId}|${at.getTime()}`,
        protocol: protocolOf(Number(m[3])),
        clean: m[4] === "1",
        keepalive: Number(m[5]),
        username: m[6] ?? null,
      };
      remember(clients, clientId, client);
      return [build("connected", clientId, client, at, null, identity, raw, [])];
    }
    // Why the CONNECT that follows is refused (2.0: `Invalid … in CONNECT from %s.`; 1.x–2.1: `Protocol error from %s[:%d]: …`).
    if (/^(?:Invalid .+ in CONNECT from \S+\.|Protocol error from \S+: .+)$/.test(message)) {
      const last = latestPending();
      if (last) last.note = message;
      return [];
    }
    m = /^Client connection from (.+) (denied: max_connections exceeded|failed: .+|denied access by tcpd)\.$/.exec(message);
    if (m) {
      const address = { ip: m[1] ?? "", port: null };
      const slug = m[2]?.startsWith("failed") ? "tls-error" : m[2]?.includes("tcpd") ? "denied-by-tcpd" : "max-connections-exceeded";
      return [
        build(
          "connect_failed",
          unknownDeviceId(address),
          address,
          at,
          slug,
          identity,
          raw,
          ["client_id_unknown"],
          message,
          null,
          m[2] ?? null,
        ),
      ];
    }
    // 2.1.1+: `bad socket read/write: %s` has no closing period, and 2.1's mosquitto_strerror texts end without one.
    m =
      /^Client (.+) \[([^[\]]+):(\d{1,5})\] disconnected: (bad socket read\/write: .+)$/.exec(message) ??
      /^Client (.+) \[([^[\]]+):(\d{1,5})\] disconnected(?:: (.+))?\.$/.exec(message);
    if (m) {
      const address = { ip: m[2] ?? "", port: Number(m[3]) };
      const id = m[1] === address.ip || m[1] === `${address.ip}:${address.port}` ? UNKNOWN_ID : (m[1] ?? UNKNOWN_ID);
      const detail = m[4] ?? null;
      let slug = "disconnected";
      if (detail !== null)
        slug =
          V21_REASONS[detail] ??
          (detail.startsWith("bad socket read/write") ? (detail.includes("TLS") ? "tls-error" : "bad-socket-read-write") : "errno");
      return disconnectOf(id, slug, at, identity, raw, message, address, detail);
    }
    m = /^Bad socket read\/write on client (.+): (.+)$/.exec(message);
    if (m)
      return disconnectOf(
        m[1] ?? UNKNOWN_ID,
        /TLS/.test(m[2] ?? "") ? "tls-error" : "bad-socket-read-write",
        at,
        identity,
        raw,
        message,
        null,
        m[2] ?? null,
      );
    for (const [pattern, slug] of V2_DISCONNECT_LINES) {
      m = pattern.exec(message);
      if (m) return disconnectOf(m[1] ?? UNKNOWN_ID, slug, at, identity, raw, message, null, null);
    }
    // A `disconnected due to <reason>.` no known version prints: kept under its own slug; the code table reads its text.
    m = /^Client (.+) disconnected due to (.+)\.$/.exec(message);
    if (m) return disconnectOf(m[1] ?? UNKNOWN_ID, slugify(m[2] ?? "") || "errno", at, identity, raw, message, null, m[2] ?? null);
    m = /^Client (.+) disconnected: (.+)\.$/.exec(message);
    if (m) return disconnectOf(m[1] ?? UNKNOWN_ID, "errno", at, identity, raw, message, null, m[2] ?? null);
    return [];
  }

  /** `detail` is the line's reason text without the client ID, which is what a catch-all slug's mapping may read. */
  function disconnectOf(
    id: string,
    slug: string,
    at: Date,
    identity: ReadonlyArray<string | number>,
    raw: string,
    message: string,
    address: Address | null,
    detail: string | null,
  ): ConnectionEvent[] {
    if (id === UNKNOWN_ID) {
      const attributed = address ?? popLatestPending();
      // A TCP connection that never sent CONNECT (health checks, scanners) is not a device event.
      if (slug === "closed-connection" || slug === "disconnected") return [];
      if (!attributed)
        return [build("connect_failed", UNKNOWN_ID, null, at, slug, identity, raw, ["client_id_unknown"], message, null, detail)];
      if (address) pending.delete(addressKey(address));
      const note = "note" in attributed && attributed.note ? `${message} (${attributed.note})` : message;
      return [
        build(
          "connect_failed",
          unknownDeviceId(attributed),
          attributed,
          at,
          slug,
          identity,
          raw,
          ["client_id_unknown", "attributed_by_address"],
          note,
          null,
          detail,
        ),
      ];
    }
    const client = clients.get(id) ?? null;
    if (!client && REFUSAL_SLUGS.has(slug)) {
      const attributed = address ?? popLatestPending();
      return [build("connect_failed", id, attributed, at, slug, identity, raw, [], message, null, detail)];
    }
    if (slug !== "session-taken-over") clients.delete(id);
    return [
      build(
        "disconnected",
        id,
        client ?? address,
        at,
        slug,
        identity,
        raw,
        client ? [] : ["session_unknown"],
        message,
        client?.sessionKey ?? null,
        detail,
      ),
    ];
  }

  /** The most recent "New connection from" not yet claimed by a client or a failure. */
  function latestPending(): Pending | null {
    if (latestPendingKey !== null && pending.has(latestPendingKey)) return pending.get(latestPendingKey) ?? null;
    let last: string | null = null;
    for (const key of pending.keys()) last = key;
    latestPendingKey = last;
    return last === null ? null : (pending.get(last) ?? null);
  }

  function popLatestPending(): Pending | null {
    const value = latestPending();
    if (value) pending.delete(addressKey(value));
    return value;
  }

  function build(
    kind: EventKind,
    deviceId: string,
    facts: Partial<Client> | Address | null,
    at: Date,
    slug: string | null,
    identity: ReadonlyArray<string | number>,
    raw: string,
    flags: string[],
    message: string | null = null,
    sessionKey: string | null = null,
    detail: string | null = null,
  ): ConnectionEvent {
    const code = slug ? `mosquitto:${slug}` : null;
    const mapped = code ? mapVendorCode(code, detail) : { reason: "connected" as const, initiator: "client" as const };
    const client = facts && "sessionKey" in facts ? (facts as Client) : null;
    return buildConnectionEvent({
      deviceId,
      kind,
      occurredAt: at,
      reason: mapped.reason,
      initiator: mapped.initiator,
      code,
      message,
      source: MOSQUITTO_SOURCE,
      feed,
      brokerNode,
      sessionKey: kind === "connected" ? (client?.sessionKey ?? null) : sessionKey,
      clientIp: facts?.ip ?? null,
      clientPort: facts?.port ?? null,
      protocolVersion: client?.protocol ?? null,
      keepaliveSec: client?.keepalive ?? null,
      cleanStart: client?.clean ?? null,
      username: client?.username ?? null,
      flags,
      dedupeKey: computeDedupeKey(MOSQUITTO_SOURCE, [brokerNode, ...identity]),
      raw: { line: raw },
    });
  }

  return {
    parseLine: (line, receivedAt) => parseLine(line, receivedAt),
    parse(topic, payload, context) {
      if (!topic.startsWith("$SYS/broker/log/")) return reject(`not a Mosquitto log topic: ${topic.slice(0, 200)}`);
      const decoded = decodeText(payload);
      if (!decoded.ok) return decoded;
      return parseLine(decoded.text, context?.receivedAt, FEEDS.mosquittoLogTopic);
    },
  };
}

const LIFECYCLE_MESSAGE = /^(New |Client |Socket error|Bad |Invalid |Protocol error|Expiring )/;

type Stamped = { seconds: number | null; message: string; yearless?: YearlessTime } | { error: string };

/**
 * Mosquitto's own prefix (`1795345068: msg` epoch seconds, `2026-11-22T10:00:00: msg` a strftime format, or none),
 * possibly behind a collector's prefix. Mosquitto's own time wins; the collector's stands in when Mosquitto wrote none.
 * Null for a line that is not Mosquitto's.
 */
function splitTimestamp(line: string): Stamped | null {
  const collected = splitCollectorPrefix(line);
  const rest = collected ? collected.rest : line;
  const own = splitOwnTimestamp(rest);
  if (own) return own;
  if (!LIFECYCLE_MESSAGE.test(rest)) return null;
  const stamp = collected?.stamp;
  if (stamp === undefined) return { seconds: null, message: rest };
  if (/^[A-Z]/.test(stamp)) {
    const yearless = readBsdTime(stamp);
    return yearless ? { seconds: null, message: rest, yearless } : { error: `syslog time "${stamp}" is not a date` };
  }
  const at = /^\d/.test(stamp) && !stamp.includes("-") ? readInstant(stamp) : readInstant(stamp.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return at === null ? null : { seconds: Math.floor(at.getTime() / 1000), message: rest };
}

function splitOwnTimestamp(line: string): { seconds: number; message: string } | null {
  const epoch = /^(\d{9,11}): (.*)$/.exec(line);
  if (epoch) return { seconds: Number(epoch[1]), message: epoch[2] ?? "" };
  const iso = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?: (.*)$/.exec(line);
  if (iso) {
    const ms = Date.parse(`${iso[1]?.replace(" ", "T")}${iso[2] ?? "Z"}`);
    if (Number.isNaN(ms)) return null;
    return { seconds: Math.floor(ms / 1000), message: iso[3] ?? "" };
  }
  return null;
}

/**
 * `%s:%d` from 2.0 on, the bare address in 1.x, IPv6 unbracketed in both: a trailing `:digits` is the port only when
 * what precedes it is an address (1.x `::1` is no port 1 of `:`).
 */
function splitLoggedAddress(text: string): Address {
  const withPort = /^(.+):(\d{1,5})$/.exec(text);
  if (withPort?.[1] && isIP(withPort[1]) !== 0) return { ip: withPort[1], port: Number(withPort[2]) };
  return { ip: text, port: null };
}

function addressKey(address: Address): string {
  return `${address.ip}:${address.port ?? ""}`;
}

function unknownDeviceId(address: Address | null): string {
  return address ? `${UNKNOWN_ID}@${address.ip}` : UNKNOWN_ID;
}

/** Mosquitto's `p%d`: 1 = MQTT 3.1, 2 = 3.1.1, 5 = 5; stored as the protocol level (3, 4, 5). */
function protocolOf(p: number): number | null {
  return p === 1 ? 3 : p === 2 ? 4 : p === 5 ? 5 : null;
}
