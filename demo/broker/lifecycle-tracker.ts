import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import type { Aedes, AuthenticateError, Client, ConnectPacket } from "aedes";
import type { Logger } from "@/lib/log/logger";
import { hasSentDisconnect, interceptClientRegistration } from "@/demo/broker/aedes-internals";
import {
  decideDisconnectReason,
  mapClientErrorToReason,
  PublishNotAuthorizedError,
  PublishRateExceededError,
} from "@/demo/broker/disconnect-reason";
import {
  buildConnackPayload,
  buildConnectedPayload,
  buildDisconnectedPayload,
  buildLifecycleTopic,
  encodeClientIdSegment,
  mapConnackReturnCode,
  type ConnectionFacts,
  type EmqxDisconnectReason,
  type LifecycleEventName,
  type LifecycleMessage,
} from "@/demo/broker/emqx-lifecycle-format";
import { scheduleAt } from "@/demo/broker/schedule-at";
import { readAgentReportTopic } from "@/lib/agent/export-format";

const AGENT_TOPIC_PREFIX = "linkscope/agent/";

export interface AuthenticateInput {
  clientId: string;
  username?: string;
  password?: Buffer;
}

export type AuthenticateResult = { ok: true; expiresAt?: number } | { ok: false; returnCode: 2 | 3 | 4 | 5 };

export type Authenticate = (input: AuthenticateInput) => AuthenticateResult | Promise<AuthenticateResult>;

export interface PublishRateLimit {
  maxMessages: number;
  windowMs: number;
}

export interface LifecycleTracker {
  /** Call for every accepted socket before handing it to aedes: peer and local addresses vanish once it closes. */
  noteSocket: (socket: Socket) => void;
  /** Installs the hooks and listeners on `broker`; call once, before it accepts connections. */
  attach: (broker: Aedes) => void;
  kickClient: (clientId: string) => boolean;
  /** Disconnects every live client with `reason` (a node going down); returns how many. */
  disconnectAll: (reason: EmqxDisconnectReason) => number;
  /** Cancels credential-expiry timers and stops emitting: the broker is going away with its subscribers. */
  shutdown: () => void;
}

interface SocketFacts {
  acceptedAt: number;
  peerHost: string;
  peerPort: number;
  sockHost: string;
  sockPort: number;
}

interface ConnectionRecord {
  client: Client;
  facts: ConnectionFacts;
  forced: EmqxDisconnectReason | undefined;
  observed: EmqxDisconnectReason | undefined;
  cancelExpiry: (() => void) | undefined;
}

/** Keeps `connected_at` unique per client id (it is the session key) without growing forever. */
const MAX_TRACKED_CLIENT_IDS = 100_000;

const UNKNOWN_SOCKET: Omit<SocketFacts, "acceptedAt"> = { peerHost: "0.0.0.0", peerPort: 0, sockHost: "0.0.0.0", sockPort: 0 };

function digestClientId(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function refusal(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export function createLifecycleTracker(deps: {
  nodeName: string;
  now: () => number;
  log: Logger;
  authenticate: Authenticate | undefined;
  emit: (message: LifecycleMessage) => void;
  /** Disconnects a client (reason `message_rate_too_high`) that publishes more than this, like EMQX's rate limiter. */
  publishRateLimit?: PublishRateLimit;
}): LifecycleTracker {
  const { nodeName, now, log } = deps;
  const sockets = new WeakMap<object, SocketFacts>();
  const connectPackets = new WeakMap<Client, ConnectPacket>();
  const credentialExpiry = new WeakMap<Client, number>();
  const live = new Map<Client, ConnectionRecord>();
  const liveById = new Map<string, ConnectionRecord>();
  const lastConnectedAt = new Map<string, number>();
  const publishWindows = new WeakMap<Client, { startedAt: number; count: number }>();
  let shuttingDown = false;

  const topicFor = (clientId: string, event: LifecycleEventName) =>
    buildLifecycleTopic(nodeName, encodeClientIdSegment(clientId, digestClientId), event);

  const emit = (message: LifecycleMessage) => {
    if (shuttingDown) return;
    log.debug({ event: message.event, topic: message.topic }, "lifecycle event");
    deps.emit(message);
  };

  const nextConnectedAt = (clientId: string, at: number) => {
    const previous = lastConnectedAt.get(clientId);
    const value = previous !== undefined && at <= previous ? previous + 1 : at;
    lastConnectedAt.delete(clientId);
    lastConnectedAt.set(clientId, value);
    if (lastConnectedAt.size > MAX_TRACKED_CLIENT_IDS) {
      const oldest = lastConnectedAt.keys().next();
      if (!oldest.done) lastConnectedAt.delete(oldest.value);
    }
    return value;
  };

  const describeConnection = (client: Client, packet: ConnectPacket, clientId: string, connectedAt: number | undefined) => {
    const socket = sockets.get(client.conn);
    if (!socket) log.warn({ clientId }, "no socket facts for connection; addresses reported as 0.0.0.0:0");
    const facts: ConnectionFacts = {
      clientId,
      username: packet.username ?? null,
      ...(socket ?? UNKNOWN_SOCKET),
      protoName: packet.protocolId ?? "MQTT",
      protoVer: packet.protocolVersion ?? 4,
      keepalive: packet.keepalive ?? 0,
      cleanStart: packet.clean ?? true,
      connectedAt: connectedAt ?? socket?.acceptedAt ?? now(),
    };
    return facts;
  };

  const onRegistered = (client: Client) => {
    const packet = connectPackets.get(client);
    if (!packet) {
      log.error({ clientId: client.id }, "registered client without a CONNECT packet; no lifecycle events for it");
      return;
    }
    const record: ConnectionRecord = {
      client,
      facts: describeConnection(client, packet, client.id, nextConnectedAt(client.id, now())),
      forced: undefined,
      observed: undefined,
      cancelExpiry: undefined,
    };
    live.set(client, record);
    liveById.set(client.id, record);
    // aedes can lose a clientDisconnect when a takeover races a close (it unregisters by id); the socket always closes.
    client.conn.once("close", () => onEnded(client));
    const expiresAt = credentialExpiry.get(client);
    if (expiresAt !== undefined) {
      record.cancelExpiry = scheduleAt(expiresAt, now, () => {
        record.forced ??= "not_authorized";
        log.info({ clientId: client.id, expiresAt }, "credentials expired; disconnecting");
        client.close();
      });
    }
    emit({
      event: "connected",
      topic: topicFor(record.facts.clientId, "connected"),
      payload: buildConnectedPayload(record.facts, now()),
    });
  };

  const onEnded = (client: Client) => {
    const record = live.get(client);
    if (!record) return;
    live.delete(client);
    if (liveById.get(record.facts.clientId) === record) liveById.delete(record.facts.clientId);
    record.cancelExpiry?.();
    const reason = decideDisconnectReason({
      forced: record.forced,
      observed: record.observed,
      sentDisconnect: hasSentDisconnect(client),
    });
    const disconnectedAt = now();
    emit({
      event: "disconnected",
      topic: topicFor(record.facts.clientId, "disconnected"),
      payload: buildDisconnectedPayload(record.facts, reason, disconnectedAt, now()),
    });
  };

  const observe = (client: Client, reason: EmqxDisconnectReason) => {
    // Errors after the close began (failed writes to a dead socket) are consequences, not causes.
    if (client.closed) return;
    const record = live.get(client);
    if (record) record.observed ??= reason;
  };

  const exceedsRateLimit = (client: Client, limit: PublishRateLimit) => {
    const at = now();
    const window = publishWindows.get(client);
    if (!window || at - window.startedAt >= limit.windowMs) {
      publishWindows.set(client, { startedAt: at, count: 1 });
      return limit.maxMessages < 1;
    }
    window.count += 1;
    return window.count > limit.maxMessages;
  };

  const onRefused = (client: Client, returnCode: number) => {
    const packet = connectPackets.get(client);
    if (!packet) {
      log.warn({ returnCode }, "connection refused before a CONNECT was seen; no connack event");
      return;
    }
    const facts = describeConnection(client, packet, packet.clientId, undefined);
    emit({
      event: "connack",
      topic: topicFor(packet.clientId, "connack"),
      payload: buildConnackPayload(facts, mapConnackReturnCode(returnCode), nodeName, now()),
    });
  };

  const authenticateClient = async (client: Client, username: string | undefined, password: Buffer | undefined) => {
    if (!deps.authenticate) return null;
    let result: AuthenticateResult;
    try {
      result = await deps.authenticate({ clientId: client.id, username, password });
    } catch (error) {
      log.error({ err: error, clientId: client.id }, "authenticate hook failed; refusing as server_unavailable");
      return refusal(3, "Server unavailable");
    }
    if (!result.ok) return refusal(result.returnCode, "Auth error");
    if (result.expiresAt !== undefined) {
      if (result.expiresAt <= now()) return refusal(5, "credentials already expired");
      credentialExpiry.set(client, result.expiresAt);
    }
    return null;
  };

  const attach = (broker: Aedes) => {
    broker.preConnect = (client, packet, callback) => {
      connectPackets.set(client, packet);
      callback(null, true);
    };
    broker.authenticate = (client, username, password, callback) => {
      authenticateClient(client, username, password).then(
        (error) => (error ? callback(error, false) : callback(null, true)),
        (error: unknown) => log.error({ err: error, clientId: client.id }, "authenticate callback threw"),
      );
    };
    broker.authorizePublish = (client, packet, callback) => {
      if (packet.topic.startsWith("$SYS/")) {
        callback(new PublishNotAuthorizedError(packet.topic));
        return;
      }
      // A device may only publish agent reports for itself (the ACL a production broker would have too).
      if (packet.topic.startsWith(AGENT_TOPIC_PREFIX) && client && readAgentReportTopic(packet.topic) !== client.id) {
        callback(new PublishNotAuthorizedError(packet.topic));
        return;
      }
      if (client && deps.publishRateLimit && exceedsRateLimit(client, deps.publishRateLimit)) {
        const record = live.get(client);
        if (record) record.forced ??= "message_rate_too_high";
        log.info({ clientId: client.id }, "publish rate limit exceeded; disconnecting");
        callback(new PublishRateExceededError());
        return;
      }
      callback(null);
    };

    interceptClientRegistration(broker, (incoming, previous) => {
      if (!previous || previous.closed) return;
      const record = live.get(previous);
      if (record) record.forced ??= incoming.clean ? "discarded" : "takenover";
    });

    broker.on("client", onRegistered);
    broker.on("clientDisconnect", onEnded);
    broker.on("keepaliveTimeout", (client) => observe(client, "keepalive_timeout"));
    broker.on("clientError", (client, error) => {
      log.debug({ clientId: client.id, err: error }, "client error");
      observe(client, mapClientErrorToReason(error));
    });
    broker.on("connectionError", (_client, error) => log.debug({ err: error }, "connection error before CONNECT"));
    broker.on("connackSent", (packet, client) => {
      if (packet.returnCode !== undefined && packet.returnCode !== 0) onRefused(client, packet.returnCode);
    });
  };

  return {
    noteSocket: (socket) => {
      sockets.set(socket, {
        acceptedAt: now(),
        peerHost: socket.remoteAddress ?? UNKNOWN_SOCKET.peerHost,
        peerPort: socket.remotePort ?? UNKNOWN_SOCKET.peerPort,
        sockHost: socket.localAddress ?? UNKNOWN_SOCKET.sockHost,
        sockPort: socket.localPort ?? UNKNOWN_SOCKET.sockPort,
      });
    },
    attach,
    kickClient: (clientId) => {
      const record = liveById.get(clientId);
      if (!record || record.client.closed) return false;
      record.forced ??= "kicked";
      record.client.close();
      return true;
    },
    disconnectAll: (reason) => {
      let count = 0;
      for (const record of [...live.values()]) {
        if (record.client.closed) continue;
        record.forced ??= reason;
        record.client.close();
        count += 1;
      }
      return count;
    },
    shutdown: () => {
      shuttingDown = true;
      for (const record of live.values()) record.cancelExpiry?.();
    },
  };
}
