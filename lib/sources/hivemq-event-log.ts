import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { type AdapterResult, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { splitCollectorPrefix } from "./collector-prefix.ts";
import { finishEvents, guard, hasControlCharacters, reject } from "./adapter-kit.ts";
import { lookupVendorCode, mapVendorCode } from "./vendor-codes.ts";

export const HIVEMQ_SOURCE = "hivemq";
const MAX_LINE = 8 * 1024;

/**
 * `reason:` texts of broker-initiated disconnects (§7) to HiveMQ UPPER_SNAKE reason codes. Other texts are kept as
 * their enum's code when the text is an enum name in words, else `hivemq:UNKNOWN` with the text as message; the
 * code table then reads the text (rate limiting stated in words).
 */
const REASON_TEXTS: ReadonlyArray<readonly [RegExp, string, When?]> = [
  [/^Client was idle for too long/i, "KEEP_ALIVE_TIMEOUT"],
  [/^Another client connected with the same client ?id/i, "SESSION_TAKEN_OVER"],
  [/^Sent too many concurrent PUBLISH messages/i, "RECEIVE_MAXIMUM_EXCEEDED"],
  [/^Sent second CONNECT message/i, "PROTOCOL_ERROR"],
  [/^Sent CONNECT with invalid client identifier/i, "CLIENT_IDENTIFIER_NOT_VALID"],
  [/^Sent CONNECT with an? invalid protocol version/i, "UNSUPPORTED_PROTOCOL_VERSION"],
  [/^Sent CONNECT with/i, "PROTOCOL_ERROR", "connect"],
  [/^No CONNECT sent in time/i, "NO_CONNECT_IDLE_TIMEOUT"],
  [/^TLS handshake not finished in time/i, "TLS_HANDSHAKE_TIMEOUT"],
  // MQTT 5 re-authentication happens on an established connection: its failure ends a session.
  [/^Re-authentication failed/i, "AUTHENTICATION_FAILED", "session"],
  [/^Authentication failed/i, "AUTHENTICATION_FAILED"],
  // The reason string of onAuthenticationFailedDisconnect, sent with NOT_AUTHORIZED (KB, §7).
  [/^Unknown authentication key or wrong authentication secret/i, "NOT_AUTHORIZED", "connect"],
];

/** Whether a text says the CONNECT was refused or an established session ended, where its code alone does not. */
type When = "connect" | "session";

/** Codes HiveMQ can only give while refusing a CONNECT. */
const CONNECT_TIME_CODES: ReadonlySet<string> = new Set([
  "AUTHENTICATION_FAILED",
  "BAD_USER_NAME_OR_PASSWORD",
  "BAD_AUTHENTICATION_METHOD",
  "CLIENT_IDENTIFIER_NOT_VALID",
  "UNSUPPORTED_PROTOCOL_VERSION",
]);

/** `valueOrUnknown()` prints a missing value as `UNKNOWN` (§7). */
const ipOf = (text: string | undefined): string | null => (text === undefined || text === "UNKNOWN" ? null : text);

/**
 * HiveMQ `event.log` lines (import): `yyyy-MM-dd HH:mm:ss,SSS - <message>` (logback's default pattern, written
 * in the broker's local time; read as UTC). Non-lifecycle lines (message dropped, AUTH, session expiry) yield
 * no events; `Client ID: UNKNOWN` ungraceful closes are health checks and yield none either.
 */
export function parseHivemqEventLine(rawLine: string): AdapterResult {
  return guard(() => {
    const line = rawLine.replace(/\r?\n$/, "");
    if (line.length > MAX_LINE) return reject(`log line too long: ${line.length} characters (limit ${MAX_LINE})`);
    if (hasControlCharacters(line.replace(/\t/g, " "))) return reject("log line contains control characters");
    if (line.trim() === "") return { ok: true, events: [] };
    const stamped = EVENT_LOG_LINE.exec(line) ?? readCollected(line);
    if (!stamped) return reject("not a HiveMQ event.log line (expected `yyyy-MM-dd HH:mm:ss,SSS - …`)");
    const at = new Date(`${stamped[1]}T${stamped[2]}.${stamped[3]}Z`);
    if (Number.isNaN(at.getTime())) return reject("event.log timestamp is not a time");
    const message = stamped[4] ?? "";
    // The event.log line itself identifies the event: the same line from the file and from a journal is stored once.
    const events = readMessage(message, at, stamped[0]);
    return events === null ? { ok: true, events: [] } : finishEvents(events);
  });
}

const EVENT_LOG_LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3})\s+- (.*)$/;

/** An event.log line behind a collector's prefix (journald, syslog, `docker logs -t`): its own dated stamp is used. */
function readCollected(line: string): RegExpExecArray | null {
  const collected = splitCollectorPrefix(line);
  return collected ? EVENT_LOG_LINE.exec(collected.rest) : null;
}

function readMessage(message: string, at: Date, line: string): ConnectionEvent[] | null {
  let m = /^Client ID: (.+?), IP: ?([^\s,]+), Clean Start: (true|false), Session Expiry: (\d+) connected\.$/.exec(message);
  if (m) {
    return [build("connected", m[1] ?? "", ipOf(m[2]), at, null, line, { cleanStart: m[3] === "true" })];
  }
  m = /^Client ID: (.+?), IP: ?([^\s,]+) disconnected gracefully\.(?: Reason given by client: (.*))?$/.exec(message);
  if (m) return [build("disconnected", m[1] ?? "", ipOf(m[2]), at, "NORMAL_DISCONNECTION", line, { message: m[3] ?? null })];
  m = /^Client ID: (.+?), IP: ?([^\s,]+) disconnected ungracefully(?: from (.+) on port: (\d+))?\.$/.exec(message);
  if (m) {
    if (m[1] === "UNKNOWN") return null;
    return [build("disconnected", m[1] ?? "", ipOf(m[2]), at, "CONNECTION_LOST", line, {})];
  }
  m = /^Client ID: (.+?), IP: ?([^\s,]+) was disconnected\. reason: (.*)$/.exec(message);
  if (m) {
    const text = withoutTrailingDots(m[3] ?? "");
    const known = REASON_TEXTS.find(([pattern]) => pattern.test(text));
    const code = known?.[1] ?? enumNameOf(text) ?? "UNKNOWN";
    const deviceId = m[1] ?? "";
    if (deviceId === "UNKNOWN") return null;
    // Auth failures happen at CONNECT, so there was no session to end.
    const when = known?.[2] ?? (CONNECT_TIME_CODES.has(code) ? "connect" : "session");
    return [build(when === "connect" ? "connect_failed" : "disconnected", deviceId, ipOf(m[2]), at, code, line, { message: text })];
  }
  return null;
}

/**
 * The reason without the sentence's closing dots. In the line's pattern (`(.*?)\.*$`) every dot of a long run tried
 * each shorter reason again: quadratic, 90 ms for one 8 KB line of dots.
 */
function withoutTrailingDots(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === ".") end -= 1;
  return text.slice(0, end);
}

/** HiveMQ's MQTT 5 reason strings are its enum names in words: `Message rate too high` is MESSAGE_RATE_TOO_HIGH. */
function enumNameOf(text: string): string | null {
  const name = text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return name !== "" && name !== "UNKNOWN" && lookupVendorCode(`hivemq:${name}`) ? name : null;
}

function build(
  kind: ConnectionEvent["kind"],
  deviceId: string,
  ip: string | null,
  at: Date,
  name: string | null,
  line: string,
  extra: { cleanStart?: boolean; message?: string | null },
): ConnectionEvent {
  const code = name ? `hivemq:${name}` : null;
  const mapped = code ? mapVendorCode(code, extra.message) : { reason: "connected" as const, initiator: "client" as const };
  return buildConnectionEvent({
    deviceId,
    kind,
    occurredAt: at,
    reason: mapped.reason,
    initiator: mapped.initiator,
    code,
    message: extra.message ?? null,
    source: HIVEMQ_SOURCE,
    feed: FEEDS.hivemqEventLog,
    clientIp: ip,
    cleanStart: extra.cleanStart ?? null,
    dedupeKey: computeDedupeKey(HIVEMQ_SOURCE, [line]),
    raw: { line },
  });
}
