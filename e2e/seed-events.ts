import { EVENT_DEFAULTS, type ConnectionEvent, type Initiator, type Reason } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";

/** Connected → keepalive timeout → reconnected, two hours ago. */
export const KEEPALIVE_DEVICE_ID = "sensor-kt-01";
/** Every character that breaks naive URL handling: slash, hash, plus, space, non-ASCII. */
export const AWKWARD_DEVICE_ID = "plant 7/line#2+ü";
/** Contains LIKE wildcards, to check that search matches them literally. */
export const WILDCARD_DEVICE_ID = "meter 50%_a\\b";
/** Would match the query "50%_" if the wildcards were not escaped. */
export const WILDCARD_DECOY_DEVICE_ID = "meter 5000";
export const AUTH_FAILING_DEVICE_ID = "tracker-auth-7";
/** Lost its connection and cannot get back to the broker, so its agent's export is uploaded on the device page. */
export const AGENT_UPLOAD_DEVICE_ID = "valve offline/9";
/** A reconnect storm: more events than one page of the events table. */
export const STORM_DEVICE_ID = "storm-dev-1";
export const STORM_SESSIONS = 36;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SOURCE = "emqx";
const NODE = "emqx@10.0.0.5";

type EventInput = {
  deviceId: string;
  kind: ConnectionEvent["kind"];
  at: number;
  sessionKey: string | null;
  reason?: Reason;
  initiator?: Initiator;
  code?: string | null;
  message?: string | null;
  clientIp?: string;
};

function createEvent(input: EventInput): ConnectionEvent {
  const clientIp = input.clientIp ?? "10.20.0.17";
  const clientid = input.deviceId;
  const raw =
    input.kind === "connected"
      ? {
          clientid,
          username: "device",
          ipaddress: clientIp,
          sockport: 8883,
          proto_name: "MQTT",
          proto_ver: 5,
          keepalive: 60,
          clean_start: true,
          connected_at: input.at,
          ts: input.at,
        }
      : input.kind === "disconnected"
        ? {
            clientid,
            username: "device",
            ipaddress: clientIp,
            sockport: 8883,
            proto_name: "MQTT",
            proto_ver: 5,
            reason: input.message ?? "normal",
            disconnected_at: input.at,
            connected_at: Number(input.sessionKey),
            ts: input.at,
          }
        : {
            clientid,
            username: "device",
            peername: `${clientIp}:51544`,
            reason_code: input.message ?? "not_authorized",
            timestamp: input.at,
            event: "client.connack",
          };
  return {
    ...EVENT_DEFAULTS,
    deviceId: input.deviceId,
    kind: input.kind,
    occurredAt: new Date(input.at),
    reason: input.reason ?? (input.kind === "connected" ? "connected" : "unknown"),
    initiator: input.initiator ?? (input.kind === "connected" ? "client" : "unknown"),
    code: input.code ?? null,
    message: input.message ?? null,
    source: SOURCE,
    brokerNode: NODE,
    sessionKey: input.sessionKey,
    clientIp,
    clientPort: 51544,
    protocolVersion: 5,
    keepaliveSec: 60,
    cleanStart: true,
    username: "device",
    tls: true,
    dedupeKey: computeDedupeKey("e2e", [input.deviceId, input.kind, input.at, input.sessionKey]),
    raw,
  };
}

/** A session that opens at `start` and, when `end` is given, closes with `reason`. */
function createSession(
  deviceId: string,
  start: number,
  end?: { at: number; reason: Reason; initiator: Initiator; code: string; message: string },
  clientIp?: string,
): ConnectionEvent[] {
  const sessionKey = String(start);
  const events = [createEvent({ deviceId, kind: "connected", at: start, sessionKey, clientIp })];
  if (end) {
    events.push(
      createEvent({
        deviceId,
        kind: "disconnected",
        at: end.at,
        sessionKey,
        reason: end.reason,
        initiator: end.initiator,
        code: end.code,
        message: end.message,
        clientIp,
      }),
    );
  }
  return events;
}

/** Deterministic pseudo-random numbers so every run seeds the same fleet shape. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const FLEET_DROPS: { reason: Reason; initiator: Initiator; code: string; message: string }[] = [
  { reason: "connection_lost", initiator: "network", code: "emqx:tcp_closed", message: "tcp_closed" },
  { reason: "keepalive_timeout", initiator: "server", code: "emqx:keepalive_timeout", message: "keepalive_timeout" },
  { reason: "client_disconnect", initiator: "client", code: "emqx:normal", message: "normal" },
  { reason: "session_taken_over", initiator: "server", code: "emqx:takenover", message: "takenover" },
  { reason: "connection_lost", initiator: "network", code: "emqx:ssl_closed", message: "ssl_closed" },
];

/** Realistic lifecycle history for a small fleet, relative to `now`. */
export function buildSeedEvents(now: number): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];

  events.push(
    ...createSession(KEEPALIVE_DEVICE_ID, now - 3 * HOUR, {
      at: now - 2 * HOUR,
      reason: "keepalive_timeout",
      initiator: "server",
      code: "emqx:keepalive_timeout",
      message: "keepalive_timeout",
    }),
    ...createSession(KEEPALIVE_DEVICE_ID, now - 2 * HOUR + 7000),
  );

  events.push(
    ...createSession(
      AWKWARD_DEVICE_ID,
      now - 6 * HOUR,
      { at: now - 90 * MINUTE, reason: "connection_lost", initiator: "network", code: "emqx:tcp_closed", message: "tcp_closed" },
      "192.168.7.2",
    ),
    ...createSession(AWKWARD_DEVICE_ID, now - 89 * MINUTE, undefined, "192.168.7.2"),
  );

  // A server idle timeout: a drop every ~20 minutes, ending offline.
  let start = now - 5 * HOUR;
  for (let index = 0; index < 12; index += 1) {
    const end = start + 20 * MINUTE + index * 3000;
    events.push(
      ...createSession("gateway-berlin-03", start, {
        at: end,
        reason: "idle_timeout",
        initiator: "server",
        code: "emqx:idle_timeout",
        message: "idle_timeout",
      }),
    );
    start = end + 5000;
  }

  for (const minutesAgo of [60, 50, 40]) {
    events.push(
      createEvent({
        deviceId: AUTH_FAILING_DEVICE_ID,
        kind: "connect_failed",
        at: now - minutesAgo * MINUTE,
        sessionKey: null,
        reason: "not_authorized",
        initiator: "server",
        code: "emqx:not_authorized",
        message: "not_authorized",
      }),
    );
  }

  events.push(
    ...createSession(AGENT_UPLOAD_DEVICE_ID, now - 2 * HOUR, {
      at: now - 30 * MINUTE,
      reason: "connection_lost",
      initiator: "network",
      code: "emqx:tcp_closed",
      message: "tcp_closed",
    }),
  );

  events.push(...createSession(WILDCARD_DEVICE_ID, now - HOUR), ...createSession(WILDCARD_DECOY_DEVICE_ID, now - HOUR));

  for (let index = 0; index < STORM_SESSIONS; index += 1) {
    const sessionStart = now - 3 * HOUR + index * 2 * MINUTE;
    events.push(
      ...createSession(
        STORM_DEVICE_ID,
        sessionStart,
        {
          at: sessionStart + 90_000,
          reason: "session_taken_over",
          initiator: "server",
          code: "emqx:takenover",
          message: "takenover",
        },
        index % 2 === 0 ? "10.1.0.4" : "10.1.0.9",
      ),
    );
  }

  const random = createRandom(42);
  for (let device = 1; device <= 14; device += 1) {
    const deviceId = `sensor-${String(device).padStart(3, "0")}`;
    let at = now - 26 * HOUR + Math.floor(random() * HOUR);
    while (at < now - 10 * MINUTE) {
      const duration = Math.floor((0.5 + random() * 5) * HOUR);
      const end = at + duration;
      const drop = FLEET_DROPS[Math.floor(random() * FLEET_DROPS.length)] ?? FLEET_DROPS[0];
      if (end >= now || !drop) {
        events.push(...createSession(deviceId, at));
        break;
      }
      events.push(...createSession(deviceId, at, { ...drop, at: end }));
      at = end + Math.floor((2 + random() * 60) * 1000);
    }
  }

  // A broker restart drops part of the fleet at the same moment.
  const shutdownAt = now - 7 * HOUR;
  for (const device of [20, 21, 22, 23, 24, 25]) {
    const deviceId = `edge-${device}`;
    events.push(
      ...createSession(deviceId, now - 12 * HOUR, {
        at: shutdownAt,
        reason: "server_shutdown",
        initiator: "server",
        code: "emqx:shutdown",
        message: "shutdown",
      }),
      ...createSession(deviceId, shutdownAt + 30_000 + device * 1000),
    );
  }
  return events;
}
