import { EventEmitter } from "node:events";
import type { IPublishPacket, MqttClient, Packet } from "mqtt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { routeMessagesWithDeferredAcks, type IncomingMessage } from "./deferred-acks.ts";

/**
 * Just the MQTT.js surface the router uses: handleMessage's callback sends the PUBACK through _sendPacket; the router
 * may also write PUBACKs to the connected stream itself (decoded here into the same list, in order).
 */
function fakeClient() {
  const sent: Packet[] = [];
  const streamWrites: Buffer[] = [];
  const keepalive = { timeouts: 0, reschedules: 0 };
  const client = Object.assign(new EventEmitter(), {
    options: { keepalive: 30 },
    connected: true,
    stream: {
      write(chunk: Buffer) {
        streamWrites.push(chunk);
        for (let offset = 0; offset < chunk.length; offset += 4) {
          expect([chunk[offset], chunk[offset + 1]]).toEqual([0x40, 2]);
          sent.push({ cmd: "puback", messageId: chunk.readUInt16BE(offset + 2) });
        }
        return true;
      },
    },
    _sendPacket: (packet: Packet, cb?: () => void) => {
      sent.push(packet);
      cb?.();
    },
    handleMessage: (_packet: IPublishPacket, callback: () => void) => callback(),
    /** MQTT.js's keepalive manager calls this 1.5 × keepalive after its PINGREQ when no PINGRESP was read; it closes. */
    onKeepaliveTimeout: () => {
      keepalive.timeouts += 1;
    },
    reschedulePing: (force?: boolean) => {
      if (force) keepalive.reschedules += 1;
    },
  });
  let read = 0;
  /** Delivers a publish the way MQTT.js does; resolves `read` only when handleMessage calls back (the next packet may be read). */
  const deliver = (messageId: number, payloadBytes?: number) =>
    (client as unknown as MqttClient).handleMessage(
      {
        cmd: "publish",
        qos: 1,
        messageId,
        topic: "t",
        payload: payloadBytes === undefined ? Buffer.from(`m${messageId}`) : Buffer.alloc(payloadBytes),
        dup: false,
        retain: false,
      },
      () => {
        read += 1;
        client._sendPacket({ cmd: "puback", messageId });
      },
    );
  const pubacks = () => sent.filter((packet) => packet.cmd === "puback").map((packet) => ("messageId" in packet ? packet.messageId : null));
  return { client: client as unknown as MqttClient, emitter: client, deliver, pubacks, readCount: () => read, keepalive, streamWrites };
}

afterEach(() => {
  vi.useRealTimers();
});

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

  it("writes the PUBACKs a commit releases as one buffer, in arrival order", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message));
    [1, 2, 300].forEach(fake.deliver);
    messages[1]!.ack();
    messages[2]!.ack();
    messages[0]!.ack();
    expect(fake.streamWrites).toEqual([Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 1, 44])]);
    expect(fake.pubacks()).toEqual([1, 2, 300]);
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

  it("stops reading once the payload bytes in flight reach the byte bound, however few the messages", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    const counter = routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message), {
      maxInFlight: 100,
      maxInFlightBytes: 1000,
    });
    fake.deliver(1, 400);
    fake.deliver(2, 400);
    expect(fake.readCount()).toBe(2);
    // 1,200 bytes: this message passes the bound, so the next one is not read.
    fake.deliver(3, 400);
    expect(fake.readCount()).toBe(2);
    expect(counter.inFlightBytes()).toBe(1200);
    messages[0]!.ack();
    expect(fake.readCount()).toBe(3);
    expect(counter.inFlightBytes()).toBe(800);
    messages[1]!.ack();
    messages[2]!.ack();
    expect(counter.inFlightBytes()).toBe(0);
    expect(counter.peakInFlightBytes()).toBe(1200);
  });

  it("frees a closed connection's message's bytes when its write finishes", () => {
    const fake = fakeClient();
    const messages: IncomingMessage[] = [];
    const counter = routeMessagesWithDeferredAcks(fake.client, (message) => messages.push(message), { maxInFlightBytes: 500 });
    fake.deliver(1, 600);
    fake.emitter.emit("close");
    fake.deliver(1, 600);
    expect(counter.inFlightBytes()).toBe(1200);
    messages[0]!.ack();
    expect(counter.inFlightBytes()).toBe(600);
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

  it("keeps the connection when a publish was read within the keepalive, and closes it when none was", () => {
    vi.useFakeTimers();
    const fake = fakeClient();
    routeMessagesWithDeferredAcks(fake.client, () => undefined, { maxInFlight: 1 });
    fake.deliver(1);
    // Reading is paused (one in flight): the PINGRESP is unread behind the backlog when MQTT.js gives up on it.
    vi.advanceTimersByTime(20_000);
    fake.client.onKeepaliveTimeout();
    expect(fake.keepalive).toEqual({ timeouts: 0, reschedules: 1 });
    vi.advanceTimersByTime(31_000);
    fake.client.onKeepaliveTimeout();
    expect(fake.keepalive).toEqual({ timeouts: 1, reschedules: 1 });
  });
});
