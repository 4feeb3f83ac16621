import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import { deliverWebhook } from "./deliver-webhook.ts";

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const FAST = { backoffMs: 10 };

describe("deliverWebhook against a real loopback HTTP server", () => {
  it("POSTs the JSON body once when the receiver answers 200", async () => {
    receiver = await startWebhookReceiver();
    const result = await deliverWebhook(receiver.url, { text: "hello", alert: { status: "test" } }, FAST);
    expect(result).toEqual({ delivered: true, httpStatus: 200, attempts: 1, error: null });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(receiver.requests[0]?.body).toEqual({ text: "hello", alert: { status: "test" } });
  });

  it("retries a 500 and succeeds on the next attempt", async () => {
    receiver = await startWebhookReceiver((index) => (index === 0 ? 500 : 200));
    const result = await deliverWebhook(receiver.url, { text: "retry" }, FAST);
    expect(result).toEqual({ delivered: true, httpStatus: 200, attempts: 2, error: null });
    expect(receiver.requests).toHaveLength(2);
  });

  it("gives up after 3 attempts of 503 and does not retry a 404", async () => {
    receiver = await startWebhookReceiver(() => 503);
    expect(await deliverWebhook(receiver.url, {}, FAST)).toEqual({ delivered: false, httpStatus: 503, attempts: 3, error: "HTTP 503" });
    await receiver.close();
    receiver = await startWebhookReceiver(() => 404);
    expect(await deliverWebhook(receiver.url, {}, FAST)).toEqual({ delivered: false, httpStatus: 404, attempts: 1, error: "HTTP 404" });
  });

  it("times out a receiver that never answers, on every attempt, without naming the URL", async () => {
    receiver = await startWebhookReceiver(() => "hang");
    const result = await deliverWebhook(receiver.url, {}, { timeoutMs: 300, attempts: 2, backoffMs: 10 });
    expect(result).toEqual({ delivered: false, httpStatus: null, attempts: 2, error: "no answer within 300 ms" });
    expect(receiver.requests).toHaveLength(2);
  });

  it("reports a refused connection without the URL and refuses non-http URLs outright", async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const refused = await deliverWebhook(url, {}, { attempts: 1 });
    expect(refused).toMatchObject({ delivered: false, httpStatus: null, attempts: 1 });
    expect(refused.error).toMatch(/^network error/);
    expect(refused.error).not.toContain("secretToken");
    expect(await deliverWebhook("file:///etc/passwd", {})).toEqual({ delivered: false, httpStatus: null, attempts: 0, error: "not an http(s) URL" });
  });
});
