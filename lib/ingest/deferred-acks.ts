import type { IPublishPacket, MqttClient, Packet } from "mqtt";

export type IncomingMessage = {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  /** Sends the PUBACK (QoS 1). Call only after the message's effects are committed. */
  ack(): void;
};

type SendPacket = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

/**
 * Routes incoming publishes to `onMessage` and holds each QoS 1 PUBACK until `ack()` is called.
 *
 * Why not simply delay handleMessage's callback: MQTT.js processes incoming packets strictly one at a time and
 * sends the PUBACK from that callback, so holding it until a batch commits would admit one message per commit.
 * Instead parsing continues and only the PUBACK packet is held back. This wraps MQTT.js's private
 * `_sendPacket` (mqtt 5.16.0, pinned; lib/ingest/ingest.integration.test.ts proves the behaviour).
 * PUBACKs held for a connection that closed are dropped: the broker redelivers those messages to the
 * persistent session, and the writer is idempotent.
 */
export function routeMessagesWithDeferredAcks(client: MqttClient, onMessage: (message: IncomingMessage) => void): void {
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket.bind(client);
  let connection = 0;
  const awaitingPuback = new Set<number>();
  const held = new Map<number, Packet>();
  const ackedEarly = new Set<number>();

  client.on("close", () => {
    connection += 1;
    awaitingPuback.clear();
    held.clear();
    ackedEarly.clear();
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

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    const messageConnection = connection;
    const messageId = packet.qos === 1 ? packet.messageId : undefined;
    if (messageId !== undefined) awaitingPuback.add(messageId);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    onMessage({
      topic: packet.topic,
      payload,
      receivedAt: new Date(),
      ack: () => {
        if (messageId === undefined || messageConnection !== connection) return;
        const puback = held.get(messageId);
        if (puback) {
          held.delete(messageId);
          send(puback);
        } else if (awaitingPuback.has(messageId)) {
          ackedEarly.add(messageId);
        }
      },
    });
    callback();
  };
}
