import type { IPublishPacket, MqttClient, Packet } from "mqtt";

/** Unacknowledged messages one source's worker holds at most, unless configured (INGEST_MAX_IN_FLIGHT). */
export const DEFAULT_MAX_IN_FLIGHT = 5000;
/** Payload bytes of unacknowledged messages one source's worker holds at most, unless configured (INGEST_MAX_IN_FLIGHT_BYTES). */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

export type IncomingMessage = {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  /**
   * Marks the message committed: its PUBACK (QoS 1) is sent, and its place in flight freed, once every earlier
   * message of the connection is committed too. Call once, only after the message's effects are committed. For a
   * message of a connection that has closed since, it only frees the place: the broker redelivers the message.
   */
  ack(): void;
};

export type DeferredAckOptions = {
  /** Messages handed to `onMessage` and not yet acknowledged, at most. Infinity keeps no bound. */
  maxInFlight?: number;
  /**
   * Payload bytes of those messages: no further message is read once they reach this, so they never exceed it by more
   * than the one message that reached it. Infinity keeps no bound.
   */
  maxInFlightBytes?: number;
};

export type InFlightCounter = {
  /** Messages handed to `onMessage` and not yet acknowledged. */
  inFlight(): number;
  /** The highest `inFlight()` has been since the start. */
  peakInFlight(): number;
  /** Payload bytes of the messages in flight. */
  inFlightBytes(): number;
  /** The highest `inFlightBytes()` has been since the start. */
  peakInFlightBytes(): number;
  /** Hands no further message to `onMessage` (stopping): those are left unacknowledged for redelivery. */
  stopDelivering(): void;
};

type SendPacket = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

/** A PUBACK that is four bytes on the wire: success and no properties (MQTT 5 §3.4.2.1 omits a 0 reason code). */
function isPlainPuback(packet: Packet): boolean {
  return packet.cmd === "puback" && (packet.reasonCode ?? 0) === 0 && packet.properties === undefined;
}

/** Plain PUBACKs, in order, as one buffer: 0x40, remaining length 2, the packet identifier (most significant byte first). */
export function encodePubacks(messageIds: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(messageIds.length * 4);
  messageIds.forEach((messageId, index) => {
    buffer[index * 4] = 0x40;
    buffer[index * 4 + 1] = 2;
    buffer.writeUInt16BE(messageId, index * 4 + 2);
  });
  return buffer;
}

/**
 * Routes incoming publishes to `onMessage`, holds each QoS 1 PUBACK until `ack()` is called, and keeps at most
 * `maxInFlight` messages, and about `maxInFlightBytes` of payload, unacknowledged.
 *
 * Why not simply delay handleMessage's callback until commit: MQTT.js processes incoming packets strictly one at a
 * time and sends the PUBACK from that callback, so holding it until a batch commits would admit one message per
 * commit. Instead parsing continues and only the PUBACK packet is held back, by wrapping MQTT.js's private
 * `_sendPacket` (mqtt 5.16.0, pinned; lib/ingest/ack-after-commit.integration.test.ts proves the behaviour).
 *
 * The bound uses that same one-at-a-time processing: when a message fills the last place (or the byte budget), its
 * callback is held until an ack frees enough, so MQTT.js reads no further packet, its stream stops pulling from the socket and TCP
 * pushes back on the broker (decision 025). A message holds its place until its PUBACK is sent, and PUBACKs go out
 * in arrival order, as MQTT requires, however the batches holding the messages commit. PUBACKs and callbacks held
 * for a connection that closed are dropped: the broker redelivers those messages to the persistent session, and the
 * writer is idempotent.
 */
export function routeMessagesWithDeferredAcks(
  client: MqttClient,
  onMessage: (message: IncomingMessage) => void,
  options: DeferredAckOptions = {},
): InFlightCounter {
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  const maxInFlightBytes = options.maxInFlightBytes ?? Number.POSITIVE_INFINITY;
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket.bind(client);
  let connection = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let inFlightBytes = 0;
  let peakInFlightBytes = 0;
  let delivering = true;
  let heldCallback: (() => void) | null = null;
  let lastMessageAt = Date.now();
  const awaitingPuback = new Set<number>();
  const held = new Map<number, Packet>();
  const ackedEarly = new Set<number>();
  // The current connection's messages in arrival order: MQTT 3.1.1 and 5 (§4.6) require PUBACKs in the order the
  // PUBLISH packets were received, while lanes commit out of order.
  let arrivals: { committed: boolean; messageId: number | undefined; bytes: number }[] = [];
  let head = 0;

  client.on("close", () => {
    connection += 1;
    awaitingPuback.clear();
    held.clear();
    ackedEarly.clear();
    // Messages of the closed connection are freed as their writes finish; their PUBACKs are never sent.
    arrivals = [];
    head = 0;
    // The stream it would resume is gone; MQTT.js reads the next connection with a fresh one.
    heldCallback = null;
  });

  // MQTT.js takes only a PINGRESP (or an ack of its own publishes) as a sign of life, and closes the connection when
  // none is read within 1.5 × keepalive of its PINGREQ. Reading is paused on purpose here, so behind a backlog the
  // PINGRESP waits in the socket behind every publish before it: during long drains the connection was closed about
  // every 45 s and the broker sent everything in flight again. A publish read within the keepalive is a sign of life
  // too; PINGREQs still go out, so the broker keeps hearing from us.
  const closeOnKeepaliveTimeout = client.onKeepaliveTimeout.bind(client);
  client.onKeepaliveTimeout = () => {
    if (Date.now() - lastMessageAt < keepaliveMs(client)) client.reschedulePing(true);
    else closeOnKeepaliveTimeout();
  };

  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd === "puback" && packet.messageId !== undefined && awaitingPuback.delete(packet.messageId)) {
      if (ackedEarly.delete(packet.messageId)) return send(packet, cb, cbStorePut, noStore);
      held.set(packet.messageId, packet);
      cb?.();
      return;
    }
    send(packet, cb, cbStorePut, noStore);
  };

  const hasRoom = () => inFlight < maxInFlight && inFlightBytes < maxInFlightBytes;

  /**
   * A commit releases hundreds of PUBACKs at once. MQTT.js writes each as three small writes to the socket's stream
   * (mqtt-packet's writeToStream, 1.2 % of the worker's CPU samples in a drain); written here as one buffer, in order.
   */
  function sendPubacks(pubacks: Packet[]): void {
    const stream = (client as unknown as { stream?: { write(chunk: Buffer): boolean } }).stream;
    if (pubacks.length > 1 && client.connected && stream && pubacks.every(isPlainPuback)) {
      stream.write(encodePubacks(pubacks.map((packet) => ("messageId" in packet ? (packet.messageId ?? 0) : 0))));
      return;
    }
    for (const puback of pubacks) send(puback);
  }

  function release(bytes: number): void {
    inFlight -= 1;
    inFlightBytes -= bytes;
  }

  /** After the PUBACKs of the released messages are written: the resumed callback may send a PUBACK of its own. */
  function resumeReading(): void {
    if (heldCallback && hasRoom() && delivering) {
      const resume = heldCallback;
      heldCallback = null;
      resume();
    }
  }

  function acknowledgeCommittedPrefix(): void {
    const pubacks: Packet[] = [];
    while (head < arrivals.length && arrivals[head]!.committed) {
      const { messageId, bytes } = arrivals[head]!;
      head += 1;
      if (messageId !== undefined) {
        const puback = held.get(messageId);
        if (puback) {
          held.delete(messageId);
          pubacks.push(puback);
        } else if (awaitingPuback.has(messageId)) {
          // Its handleMessage callback is still held (it filled the last place): MQTT.js sends the PUBACK when resumed.
          ackedEarly.add(messageId);
        }
      }
      release(bytes);
    }
    sendPubacks(pubacks);
    resumeReading();
    if (head > 1024 && head * 2 > arrivals.length) {
      arrivals = arrivals.slice(head);
      head = 0;
    }
  }

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    // Left unacknowledged and unread: the broker redelivers it to the next connection of the session.
    if (!delivering) return;
    lastMessageAt = Date.now();
    const messageConnection = connection;
    const messageId = packet.qos === 1 ? packet.messageId : undefined;
    if (messageId !== undefined) awaitingPuback.add(messageId);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    const arrival = { committed: false, messageId, bytes: payload.length };
    arrivals.push(arrival);
    inFlight += 1;
    inFlightBytes += arrival.bytes;
    peakInFlight = Math.max(peakInFlight, inFlight);
    peakInFlightBytes = Math.max(peakInFlightBytes, inFlightBytes);
    let settled = false;
    onMessage({
      topic: packet.topic,
      payload,
      receivedAt: new Date(),
      ack: () => {
        if (settled) return;
        settled = true;
        if (messageConnection !== connection) {
          release(arrival.bytes);
          resumeReading();
          return;
        }
        arrival.committed = true;
        acknowledgeCommittedPrefix();
      },
    });
    // Not wrapped in a closure of this call: the ack closure above would then keep MQTT.js's callback, and with it
    // the packet and its payload, until the message commits.
    if (hasRoom()) callback();
    else heldCallback = callback;
  };

  return {
    inFlight: () => inFlight,
    peakInFlight: () => peakInFlight,
    inFlightBytes: () => inFlightBytes,
    peakInFlightBytes: () => peakInFlightBytes,
    stopDelivering: () => {
      delivering = false;
      heldCallback = null;
    },
  };
}

function keepaliveMs(client: MqttClient): number {
  return (client.options.keepalive ?? 60) * 1000;
}
