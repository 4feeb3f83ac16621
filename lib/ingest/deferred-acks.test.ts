import { EventEmitter } from "node:events";
import type { IPublishPacket, MqttClient, Packet } from "mqtt";
import { describe, expect, it } from "vitest";
import { routeMessagesWithDeferredAcks, type IncomingMessage } from "./deferred-acks.ts";

/** Just the MQTT.js surface the router uses: handleMessage's callback sends the PUBACK through _sendPacket. */
function fakeClient() {
  const sent: Packet[] = [];
  const client = Object.assign(new EventEmitter(), {
    _sendPacket: (packet: Packet, cb?: () => void) => {
      sent.push(packet);
      cb?.();
    },
    handleMessage: (_packet: IPublishPacket, callback: () => void) => callback(),
  });
  let read = 0;
  /** Delivers a publish the way MQTT.js does; resolves `read` only when handleMessage calls back (the next packet may be read). */
  const deliver = (messageId: number) =>
    (client as unknown as MqttClient).handleMessage(
      { cmd: "publish", qos: 1, messageId, topic: "t", payload: Buffer.from(`m${messageId}`), dup: false, retain: false },
      () => {
        read += 1;
        client._sendPacket({ cmd: "puback", messageId });
      },
    );
  const pubacks = () => sent.filter((packet) => packet.cmd === "puback").map((packet) => ("messageId" in packet ? packet.messageId : null));
  return { client: client as unknown as MqttClient, emitter: client, deliver, pubacks, readCount: () => read };
}

describe("routeMessagesWithDeferredAcks", () => {
  it("sends PUBACKs only after ack, in the order the messages arrived, whatever order they commit in", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message));
    [1, 2, 3].forEach(fake.deliver);
    expect(fake.pubacks()).toEqual([]);
    messages[2]!.ack();
    messages[1]!.ack();
    expect(fake.pubacks()).toEqual([]);
    messages[0]!.ack();
    expect(fake.pubacks()).toEqual([1, 2, 3]);
  });

  it("stops reading at the in-flight limit and reads on once a place is freed; the peak never passes the limit", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    const counter = routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message), { maxInFlight: 2 });
    fake.deliver(1);
    fake.deliver(2);
    expect(fake.readCount()).toBe(1);
    expect(counter.inFlight()).toBe(2);
    messages[1]!.ack();
    // Message 2 committed before message 1: no PUBACK and no free place yet.
    expect(fake.readCount()).toBe(1);
    messages[0]!.ack();
    expect(fake.readCount()).toBe(2);
    expect(fake.pubacks()).toEqual([1, 2]);
    fake.deliver(3);
    expect(counter.inFlight()).toBe(1);
    expect(counter.peakInFlight()).toBe(2);
  });

  it("never sends a PUBACK of a closed connection's message; its ack only frees the place", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    const counter = routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message), { maxInFlight: 1 });
    fake.deliver(7);
    fake.emitter.emit("close");
    messages[0]!.ack();
    expect(fake.pubacks()).toEqual([]);
    expect(counter.inFlight()).toBe(0);
    fake.deliver(7);
    messages[1]!.ack();
    expect(fake.pubacks()).toEqual([7]);
  });
});
