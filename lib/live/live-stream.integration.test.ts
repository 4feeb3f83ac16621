import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { createLiveHub, type LiveHub } from "./live-hub.ts";
import { LiveChangeSchema, LiveStatusSchema, type LiveChange, type LiveStatus } from "./live-messages.ts";
import { openLiveStream } from "./live-stream.ts";
import { createSseParser } from "./sse-format.ts";

const database = useTestDatabase();
let hub: LiveHub;
let server: http.Server;
let baseUrl: string;
let serial = 0;

function connected(deviceId: string): ConnectionEvent {
  serial += 1;
  const occurredAt = new Date();
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind: "connected",
    occurredAt,
    reason: "connected",
    initiator: "client",
    source: "test",
    sessionKey: `s-${serial}`,
    dedupeKey: computeDedupeKey("test", [deviceId, serial, occurredAt.getTime()]),
    raw: { serial },
  };
}

type Received = { at: number; change?: LiveChange; status?: LiveStatus };

/** Subscribes over real HTTP, as a browser would; messages are collected with their arrival time. */
async function subscribe(): Promise<{ received: Received[]; headers: Headers; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/live`, { signal: controller.signal });
  const received: Received[] = [];
  const feed = createSseParser((message) => {
    const data = JSON.parse(message.data) as unknown;
    if (message.event === "change") received.push({ at: Date.now(), change: LiveChangeSchema.parse(data) });
    if (message.event === "status") received.push({ at: Date.now(), status: LiveStatusSchema.parse(data) });
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // Aborted by close().
    }
  })();
  return { received, headers: response.headers, close: () => controller.abort() };
}

beforeAll(async () => {
  hub = createLiveHub(database.db);
  // The route's core (openLiveStream) behind a plain Node server: aborts when the client goes away, like Next.
  server = http.createServer((request, response) => {
    const abort = new AbortController();
    response.on("close", () => abort.abort());
    const live = openLiveStream(hub, abort.signal);
    response.writeHead(live.status, Object.fromEntries(live.headers));
    response.flushHeaders();
    Readable.fromWeb(live.body as never).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("GET /api/v1/live core", () => {
  it("tells every subscriber which device got a new event, and stops polling when they leave", async () => {
    await recordConnectionEvents(database.db, [connected("before-subscribing")]);
    const first = await subscribe();
    const second = await subscribe();
    expect(first.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(first.headers.get("cache-control")).toContain("no-transform");

    const snapshot = await waitFor(() => first.received.find((message) => message.change), Boolean);
    expect(snapshot?.change).toMatchObject({ devices: [], truncated: false });
    expect(snapshot?.change?.latestEventId).not.toBeNull();
    await waitFor(() => second.received.some((message) => message.change), Boolean);
    expect(hub.subscriberCount()).toBe(2);

    const deviceId = "live/ü #1";
    const committedAt = Date.now();
    await recordConnectionEvents(database.db, [connected(deviceId)]);
    for (const subscriber of [first, second]) {
      const arrival = await waitFor(() => subscriber.received.find((message) => message.change?.devices.includes(deviceId)), Boolean);
      expect(arrival, "a change naming the device").toBeDefined();
      expect(arrival!.change!.latestEventId).not.toBe(snapshot!.change!.latestEventId);
      expect(Date.parse(arrival!.change!.latestReceivedAt!)).toBeGreaterThanOrEqual(committedAt - 5000);
    }
    // A device without new events is never named.
    expect(first.received.some((message) => message.change?.devices.includes("before-subscribing"))).toBe(false);

    first.close();
    await waitFor(
      () => hub.subscriberCount(),
      (count) => count === 1,
    );
    expect(hub.isPolling()).toBe(true);
    second.close();
    await waitFor(() => hub.subscriberCount() === 0 && !hub.isPolling(), Boolean);
    expect(hub.subscriberCount()).toBe(0);
    expect(hub.isPolling()).toBe(false);
  });

  it("sends the worker's lag and heartbeat, and again when they change", async () => {
    const heartbeatAt = new Date();
    await database.db.workerStatus.create({
      data: { id: "live-test", brokerConnected: true, lagMs: 250, lastEventAt: heartbeatAt, heartbeatAt },
    });
    const subscriber = await subscribe();
    const first = await waitFor(() => subscriber.received.find((message) => message.status), Boolean);
    expect(first?.status).toMatchObject({ workerConnected: true, lagMs: 250 });
    // The age is measured against the heartbeat just written: no older than the time since it was written.
    expect(first?.status?.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
    expect(first?.status?.heartbeatAgeMs).toBeLessThanOrEqual((first?.at ?? 0) - heartbeatAt.getTime());

    await database.db.workerStatus.update({ where: { id: "live-test" }, data: { lagMs: 12_000, heartbeatAt: new Date() } });
    const lagging = await waitFor(() => subscriber.received.find((message) => message.status?.lagMs === 12_000), Boolean);
    expect(lagging?.status).toMatchObject({ workerConnected: true, lagMs: 12_000 });

    await database.db.workerStatus.update({ where: { id: "live-test" }, data: { heartbeatAt: new Date(Date.now() - 60_000) } });
    const offline = await waitFor(() => subscriber.received.find((message) => message.status?.workerConnected === false), Boolean);
    expect(offline?.status?.heartbeatAgeMs).toBeGreaterThanOrEqual(60_000);
    subscriber.close();
    await waitFor(
      () => hub.isPolling(),
      (polling) => !polling,
    );
    expect(hub.isPolling()).toBe(false);
  });
});
