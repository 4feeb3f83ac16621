import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createAlertChannel, listAlertChannels, updateAlertChannel } from "./alert-channels.ts";
import { createOutboundPolicy } from "@/lib/security/outbound-policy.ts";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import type { ChannelConfig } from "./channel-config.ts";
import { DEFAULT_CHANNEL_ENDPOINTS } from "./http-channel-request.ts";
import { sendToChannel } from "./send-to-channel.ts";
import type { StoredNotification } from "./stored-notification.ts";

// Server-side request forgery through alert channels: an admin (or a stolen admin session) points a channel at an
// internal service and reads the outcome back from the channel test. Without the operator's opt-in nothing connects.
let receiver: WebhookReceiver | undefined;
let tcp: Server | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
  tcp = undefined;
});

const NOTIFICATION: StoredNotification = {
  rule: { id: "6f1c2a9e-0b3d-4e5f-8a7b-9c0d1e2f3a4b", name: "r", kind: "connected_below", threshold: 4, source: null, brokerNode: null },
  status: "test",
  subject: "fleet",
  value: null,
  message: "m",
  link: { url: "https://linkscope.example.com/alerts", label: "Open alerts" },
  startedAt: "2026-11-01T10:00:00.000Z",
  occurredAt: "2026-11-01T10:00:00.000Z",
};
const NO_OPT_IN = createOutboundPolicy([]);
const send = (channel: ChannelConfig, outbound = NO_OPT_IN) =>
  sendToChannel(NOTIFICATION, channel, { endpoints: DEFAULT_CHANNEL_ENDPOINTS, timeoutMs: 3_000, outbound });
const webhook = (url: string): ChannelConfig => ({ type: "webhook", name: "w", settings: {}, secrets: { url } });

/** A TCP listener on loopback that counts connections (any protocol). */
async function startCountingListener(): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  tcp = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp?.listen(0, "127.0.0.1", resolve));
  return { port: (tcp.address() as AddressInfo).port, connections: () => count };
}

describe("alert channels and the outbound policy", () => {
  it("refuses loopback by address and by name, without connecting, and says why", async () => {
    receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const result = await send(webhook(url));
      expect(result, url).toMatchObject({
        delivered: false,
        retryable: false,
        httpStatus: null,
        error: expect.stringMatching(/^refused: .*LINKSCOPE_OUTBOUND_ALLOW/),
      });
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it("refuses the cloud metadata address and private ranges at once (no connection attempt to time out)", async () => {
    for (const host of ["169.254.169.254", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "0.0.0.0", "[fd00::1]", "[fe80::1]"]) {
      const result = await send(webhook(`http://${host}/latest/meta-data/`));
      // "refused:" comes from the policy, before any socket is opened.
      expect(result, host).toMatchObject({ delivered: false, retryable: false, error: expect.stringMatching(/^refused: /) });
    }
  });

  it("refuses an SMTP host on loopback without opening a connection", async () => {
    const listener = await startCountingListener();
    const result = await send({
      type: "email",
      name: "e",
      settings: { host: "localhost", port: listener.port, security: "none", username: null, from: "a@example.com", to: ["b@example.com"] },
      secrets: { password: null },
    });
    expect(result).toMatchObject({ delivered: false, retryable: false, response: null, error: expect.stringMatching(/^refused: /) });
    expect(listener.connections()).toBe(0);
  });

  it("reaches a listed private address when the operator opts in, and follows no redirect from it", async () => {
    receiver = await startWebhookReceiver((index) => (index === 0 ? 200 : 302));
    const allowed = createOutboundPolicy(["127.0.0.0/8"]);
    expect(await send(webhook(receiver.url), allowed)).toMatchObject({ delivered: true, httpStatus: 200 });
    expect(await send(webhook(receiver.url), allowed)).toMatchObject({ delivered: false, httpStatus: 302, error: "HTTP 302" });
    expect(receiver.requests).toHaveLength(2);
  });

  it("bounds a receiver that never answers by the timeout", async () => {
    receiver = await startWebhookReceiver(() => "hang");
    // Without the timeout the send would wait on the hanging receiver until the test's own timeout fails it.
    const started = Date.now();
    const result = await sendToChannel(NOTIFICATION, webhook(receiver.url), {
      endpoints: DEFAULT_CHANNEL_ENDPOINTS,
      timeoutMs: 300,
      outbound: createOutboundPolicy(["127.0.0.1"]),
    });
    expect(result).toMatchObject({ delivered: false, retryable: true, error: "no answer within 300 ms" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe("saving a channel whose target the policy refuses", () => {
  const testDb = useTestDatabase();
  const BY = { actor: CLI_ACTOR };
  const create = (name: string, url: string, outbound = NO_OPT_IN) =>
    createAlertChannel(testDb.db, { name, type: "webhook", settings: {}, secrets: { url } }, BY, { outbound });

  it("is refused with a 4xx-kind error naming the field, for metadata, private and loopback addresses and names", async () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.7/hook",
      "http://[::1]:8080/",
      "http://localhost:9/x",
      "http://2130706433/",
    ]) {
      const refused = await create(`c-${url.length}-${Math.random()}`, url).catch((error: unknown) => error);
      expect(refused, url).toBeInstanceOf(InvalidInputError);
      expect(refused, url).toMatchObject({
        code: "outbound_target_refused",
        message: expect.stringMatching(/^secrets\.url: the server will not connect there: .*LINKSCOPE_OUTBOUND_ALLOW/),
      });
    }
    const email = await createAlertChannel(
      testDb.db,
      {
        name: "smtp-internal",
        type: "email",
        settings: { host: "127.0.0.1", port: 25, security: "none", from: "a@example.com", to: "b@example.com" },
        secrets: {},
      },
      BY,
      { outbound: NO_OPT_IN },
    ).catch((error: unknown) => error);
    expect(email).toMatchObject({ code: "outbound_target_refused", message: expect.stringMatching(/^settings\.host: /) });
    expect(await listAlertChannels(testDb.db)).toEqual([]);
  });

  it("is saved when the operator lists the address, and a later change of target is checked again while a rename is not", async () => {
    const allowed = createOutboundPolicy(["10.0.0.0/8"]);
    const channel = await create("internal-hook", "http://10.0.0.7/hook", allowed);
    expect(channel.name).toBe("internal-hook");
    const renamed = await updateAlertChannel(testDb.db, channel.id, { name: "renamed" }, BY, { outbound: NO_OPT_IN });
    expect(renamed.name).toBe("renamed");
    const moved = await updateAlertChannel(testDb.db, channel.id, { secrets: { url: "http://169.254.169.254/" } }, BY, {
      outbound: NO_OPT_IN,
    }).catch((error: unknown) => error);
    expect(moved).toMatchObject({ code: "outbound_target_refused" });
  });

  it("looks the target up before the transaction opens, so a slow DNS answer never holds a connection and its locks", async () => {
    const allowed = createOutboundPolicy(["10.0.0.0/8"]);
    const channel = await create("ordered-hook", "http://10.0.0.7/hook", allowed);
    const events: string[] = [];
    const watched = new Proxy(testDb.db, {
      get(target, property, receiver) {
        if (property === "$transaction") events.push("transaction");
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const recording = { refuseAddress: (address: string) => (events.push("lookup"), allowed.refuseAddress(address)) };
    await updateAlertChannel(watched, channel.id, { secrets: { url: "http://10.0.0.8/hook" } }, BY, { outbound: recording });
    await createAlertChannel(watched, { name: "ordered-2", type: "webhook", settings: {}, secrets: { url: "http://10.0.0.9/" } }, BY, {
      outbound: recording,
    });
    expect(events).toEqual(["lookup", "transaction", "lookup", "transaction"]);
  });
});
