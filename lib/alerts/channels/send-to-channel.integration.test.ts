import { afterEach, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import type { ChannelConfig } from "./channel-config.ts";
import type { ChannelEndpoints } from "./http-channel-request.ts";
import { sendToChannel } from "./send-to-channel.ts";
import type { StoredNotification } from "./stored-notification.ts";

let receiver: WebhookReceiver | undefined;
let smtp: SMTPServer | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  smtp = undefined;
});

const RULE_ID = "6f1c2a9e-0b3d-4e5f-8a7b-9c0d1e2f3a4b";

function notification(status: StoredNotification["status"], subject = "fleet"): StoredNotification {
  return {
    rule: { id: RULE_ID, name: "Node <down>", kind: "connected_below", threshold: 4, source: "emqx", brokerNode: "emqx@10.0.0.1" },
    status,
    subject,
    value: 3,
    message: "3 devices connected (source emqx); alert below 4",
    link: { url: "https://linkscope.example.com/fleet?from=a&to=b", label: "Open fleet view" },
    startedAt: "2026-11-01T10:00:00.000Z",
    occurredAt: "2026-11-01T10:01:00.000Z",
  };
}

async function send(n: StoredNotification, channel: ChannelConfig) {
  const origin = receiver ? new URL(receiver.url).origin : "http://127.0.0.1:9";
  const endpoints: ChannelEndpoints = { pagerDutyEventsUrl: `${origin}/v2/enqueue`, opsgenieApiUrl: { us: origin, eu: `${origin}/eu` } };
  return sendToChannel(n, channel, { endpoints, timeoutMs: 5_000 });
}

describe("each channel against a local receiver", () => {
  it("Slack: an incoming-webhook message with a fallback text and blocks", async () => {
    receiver = await startWebhookReceiver();
    const result = await send(notification("firing"), { type: "slack", name: "s", settings: {}, secrets: { url: receiver.url } });
    expect(result).toMatchObject({ delivered: true, httpStatus: 200 });
    const body = receiver.requests[0]?.body as { text: string; blocks: { type: string }[] };
    expect(receiver.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(body.text).toContain("*FIRING* Node &lt;down&gt;");
    expect(body.blocks.map((block) => block.type)).toEqual(["section", "context", "actions"]);
    expect(JSON.stringify(body.blocks[2])).toContain("https://linkscope.example.com/fleet?from=a&to=b");
  });

  it("Teams: a Workflows message carrying one Adaptive Card", async () => {
    receiver = await startWebhookReceiver(() => 202);
    const result = await send(notification("resolved"), { type: "teams", name: "t", settings: {}, secrets: { url: receiver.url } });
    expect(result).toMatchObject({ delivered: true, httpStatus: 202 });
    const body = receiver.requests[0]?.body as {
      type: string;
      attachments: {
        contentType: string;
        content: {
          type: string;
          version: string;
          body: { type: string; inlines: { text: string }[] }[];
          actions: { type: string; url: string }[];
        };
      }[];
    };
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0];
    expect(card?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card?.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(card?.content.body[0]?.inlines[0]?.text).toBe("RESOLVED: Node <down>");
    // Rich text runs: Teams reads a TextBlock's text as Markdown, where a device ID like [x](https://…) became a link.
    expect(card?.content.body.every((block) => block.type === "RichTextBlock")).toBe(true);
    expect(card?.content.body.map((block) => block.inlines.map((run) => run.text).join(""))).toContain("Subject: fleet");
    expect(card?.content.actions[0]).toEqual({
      type: "Action.OpenUrl",
      title: "Open fleet view",
      url: "https://linkscope.example.com/fleet?from=a&to=b",
    });
  });

  it("PagerDuty: Events API v2 trigger, then resolve with the same dedup key per rule and subject", async () => {
    receiver = await startWebhookReceiver(() => 202);
    const channel: ChannelConfig = {
      type: "pagerduty",
      name: "p",
      settings: { severity: "critical" },
      secrets: { routingKey: "R0UTINGKEY0123456789abcdef012345" },
    };
    expect(await send(notification("firing", "dev/1"), channel)).toMatchObject({ delivered: true, httpStatus: 202 });
    expect(await send(notification("resolved", "dev/1"), channel)).toMatchObject({ delivered: true });
    expect(await send(notification("firing", "dev/2"), channel)).toMatchObject({ delivered: true });
    const [trigger, resolve, other] = receiver.requests.map(
      (request) => request.body as Record<string, unknown> & { payload?: Record<string, unknown> },
    );
    expect(receiver.requests.map((request) => request.path)).toEqual(["/v2/enqueue", "/v2/enqueue", "/v2/enqueue"]);
    expect(trigger).toMatchObject({
      routing_key: "R0UTINGKEY0123456789abcdef012345",
      event_action: "trigger",
      dedup_key: `linkscope:${RULE_ID}:dev/1`,
    });
    expect(trigger?.payload).toMatchObject({
      severity: "critical",
      source: "dev/1",
      timestamp: "2026-11-01T10:00:00.000Z",
      summary: expect.stringContaining("[FIRING] Node <down>"),
    });
    expect(resolve).toEqual({ routing_key: "R0UTINGKEY0123456789abcdef012345", event_action: "resolve", dedup_key: trigger?.dedup_key });
    expect(other?.dedup_key).not.toBe(trigger?.dedup_key);
  });

  it("Opsgenie: create with an alias and a GenieKey, then close by alias", async () => {
    receiver = await startWebhookReceiver(() => 202);
    const channel: ChannelConfig = {
      type: "opsgenie",
      name: "o",
      settings: { region: "us", priority: "P2" },
      secrets: { apiKey: "0psgenie-key-1234" },
    };
    expect(await send(notification("firing"), channel)).toMatchObject({ delivered: true, httpStatus: 202 });
    expect(await send(notification("resolved"), channel)).toMatchObject({ delivered: true });
    const [create, close] = receiver.requests;
    const alias = `linkscope:${RULE_ID}:fleet`;
    expect(create?.path).toBe("/v2/alerts");
    expect(create?.headers.authorization).toBe("GenieKey 0psgenie-key-1234");
    expect(create?.body).toMatchObject({
      alias,
      priority: "P2",
      source: "Linkscope",
      entity: "fleet",
      message: expect.stringContaining("[FIRING] Node <down>"),
    });
    expect((create?.body as { message: string }).message.length).toBeLessThanOrEqual(130);
    expect(close?.path).toBe(`/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`);
    expect(close?.headers.authorization).toBe("GenieKey 0psgenie-key-1234");
  });

  it("Webhook: the generic JSON body, and errors never name the URL", async () => {
    receiver = await startWebhookReceiver(() => 500);
    const result = await send(notification("firing"), { type: "webhook", name: "w", settings: {}, secrets: { url: receiver.url } });
    expect(result).toEqual({ delivered: false, retryable: true, httpStatus: 500, response: null, error: "HTTP 500" });
    expect(receiver.requests[0]?.body).toMatchObject({
      alert: { status: "firing", ruleId: RULE_ID, threshold: 4, scope: { source: "emqx", brokerNode: "emqx@10.0.0.1" } },
      link: "https://linkscope.example.com/fleet?from=a&to=b",
    });
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const refused = await send(notification("firing"), { type: "webhook", name: "w", settings: {}, secrets: { url } });
    expect(refused).toMatchObject({ delivered: false, retryable: true });
    expect(JSON.stringify(refused)).not.toContain("secretToken");
  });

  it("Email: one SMTP submission with login, subject and both bodies; a 550 is final", async () => {
    const messages: { from: string; to: string[]; raw: string }[] = [];
    smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === "alerts" && auth.password === "smtp-secret") callback(null, { user: "alerts" });
        else callback(new Error("Invalid username or password"));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith("nobody@")) callback(Object.assign(new Error("no such user"), { responseCode: 550 }));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp?.listen(0, "127.0.0.1", resolve));
    const port = (smtp as unknown as { server: { address(): AddressInfo } }).server.address().port;
    const channel = (to: string[]): ChannelConfig => ({
      type: "email",
      name: "e",
      settings: { host: "127.0.0.1", port, security: "none", username: "alerts", from: "linkscope@example.com", to },
      secrets: { password: "smtp-secret" },
    });
    const result = await send(notification("firing"), channel(["oncall@example.com", "ops@example.com"]));
    expect(result).toMatchObject({ delivered: true, retryable: false, response: expect.stringMatching(/^250/) });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ from: "linkscope@example.com", to: ["oncall@example.com", "ops@example.com"] });
    expect(messages[0]?.raw).toMatch(/^Subject: \[FIRING\] Node <down>: 3 devices connected/m);
    expect(messages[0]?.raw).toContain("text/plain");
    expect(messages[0]?.raw).toContain("text/html");
    expect(messages[0]?.raw).toContain("&lt;down&gt;");

    const refused = await send(notification("firing"), channel(["nobody@example.com"]));
    expect(refused).toMatchObject({ delivered: false, retryable: false, error: "SMTP 550" });
  });
});
