import type { IPublishPacket, MqttClient, Packet } from "mqtt";

/** Unacknowledged messages one source's worker holds at most, unless configured (INGEST_MAX_IN_FLIGHT). */
export const DEFAULT_MAX_IN_FLIGHT = 5000;

export type IncomingMessage = {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  /**
   * Sends the PUBACK (QoS 1) and frees the message's place in flight. Call once, only after the message's effects
   * are committed. For a message of a connection that has closed since, it only frees the place: the broker
   * redelivers the message to the persistent session.
   */
  ack(): void;
};

export type DeferredAckOptions = {
  /** Messages handed to `onMessage` and not yet acknowledged, at most. Infinity keeps no bound. */
  maxInFlight?: number;
};

export type InFlightCounter = {
  /** Messages handed to `onMessage` and not yet acknowledged. */
  inFlight(): number;
  /** The highest `inFlight()` has been since the start. */
  peakInFlight(): number;
  /** Hands no further message to `onMessage` (stopping): those are left unacknowledged for redelivery. */
  stopDelivering(): void;
};

type SendPacket = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

/**
 * Routes incoming publishes to `onMessage`, holds each QoS 1 PUBACK until `ack()` is called, and keeps at most
 * `maxInFlight` messages unacknowledged.
 *
 * Why not simply delay handleMessage's callback until commit: MQTT.js processes incoming packets strictly one at a
 * time and sends the PUBACK from that callback, so holding it until a batch commits would admit one message per
 * commit. Instead parsing continues and only the PUBACK packet is held back, by wrapping MQTT.js's private
 * `_sendPacket` (mqtt 5.16.0, pinned; lib/ingest/ack-after-commit.integration.test.ts proves the behaviour).
 *
 * The bound uses that same one-at-a-time processing: when a message fills the last place, its callback is held
 * until an ack frees one, so MQTT.js reads no further packet, its stream stops pulling from the socket and TCP
 * pushes back on the broker (decision 025). PUBACKs and callbacks held for a connection that closed are dropped:
 * the broker redelivers those messages to the persistent session, and the writer is idempotent.
 */
export function routeMessagesWithDeferredAcks(client: MqttClient, onMessage: (message: IncomingMessage) => void, options: DeferredAckOptions = {}): InFlightCounter {
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket.bind(client);
  let connection = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let delivering = true;
  let heldCallback: (() => void) | null = null;
  const awaitingPuback = new Set<number>();
  const held = new Map<number, Packet>();
  const ackedEarly = new Set<number>();

  client.on("close", () => {
    connection += 1;
    awaitingPuback.clear();
    held.clear();
    ackedEarly.clear();
    // The stream it would resume is gone; MQTT.js reads the next connection with a fresh one.
    heldCallback = null;
  });

  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd === "puback" && packet.messageId !== undefined && awaitingPuback.delete(packet.messageId)) {
      if (ackedEarly.delete(packet.messageId)) return send(packet, cb, cbStorePut, noStore);
      held.set(packet.messageId, packet);
      cb?.();
      return;
    }
    send(packet, cb, cbStorePut, noStore);
  };

  function release(): void {
    inFlight -= 1;
    if (heldCallback && inFlight < maxInFlight && delivering) {
      const resume = heldCallback;
      heldCallback = null;
      resume();
    }
  }

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    // Left unacknowledged and unread: the broker redelivers it to the next connection of the session.
    if (!delivering) return;
    const messageConnection = connection;
    const messageId = packet.qos === 1 ? packet.messageId : undefined;
    if (messageId !== undefined) awaitingPuback.add(messageId);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let settled = false;
    onMessage({
      topic: packet.topic,
      payload,
      receivedAt: new Date(),
      ack: () => {
        if (settled) return;
        settled = true;
        if (messageId !== undefined && messageConnection === connection) {
          const puback = held.get(messageId);
          if (puback) {
            held.delete(messageId);
            send(puback);
          } else if (awaitingPuback.has(messageId)) {
            ackedEarly.add(messageId);
          }
        }
        release();
      },
    });
    if (inFlight < maxInFlight) callback();
    else heldCallback = () => callback();
  };

  return {
    inFlight: () => inFlight,
    peakInFlight: () => peakInFlight,
    stopDelivering: () => {
      delivering = false;
      heldCallback = null;
    },
  };
}
