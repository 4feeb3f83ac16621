import { describe, expect, it } from "vitest";
import { buildAlertLink } from "../alert-notification.ts";
import { retryDelayMs } from "../deliveries/delivery-backoff.ts";
import { ChannelConfigSchemas, maskSecretKey, toChannelConfig } from "./channel-config.ts";
import { buildEmailMessage } from "./email-message.ts";
import { DEFAULT_CHANNEL_ENDPOINTS } from "./http-channel-request.ts";
import { buildChannelRequest } from "./send-to-channel.ts";
import { buildSlackText } from "./slack-request.ts";
import { buildDedupKey, toStoredNotification, type StoredNotification } from "./stored-notification.ts";

const BASE = "https://linkscope.example.com";
const NOTIFICATION: StoredNotification = {
  rule: { id: "r1", name: "Fleet <down> & out", kind: "connected_below", threshold: 20, source: null, brokerNode: null },
  status: "firing",
  subject: "fleet",
  value: 12,
  message: "12 devices connected (all sources); alert below 20",
  link: { url: `${BASE}/fleet?from=a&to=b`, label: "Open fleet view" },
  startedAt: "2026-11-22T10:00:00.000Z",
  occurredAt: "2026-11-22T10:00:00.000Z",
};

describe("channel requests", () => {
  it("writes Slack mrkdwn with an escaped name and a <url|label> link (also the generic webhook's text)", () => {
    expect(buildSlackText(NOTIFICATION)).toBe(
      [
        ":rotating_light: *FIRING* Fleet &lt;down&gt; &amp; out (Connected devices below)",
        "12 devices connected (all sources); alert below 20",
        `<${BASE}/fleet?from=a&to=b|Open fleet view>`,
      ].join("\n"),
    );
    const link = buildAlertLink({ baseUrl: BASE, subject: "x|y>z", incidentId: null, startedAt: new Date(), until: new Date() });
    expect(buildSlackText({ ...NOTIFICATION, status: "resolved", subject: "x|y>z", link }).split("\n")[2]).toBe(
      `<${BASE}/devices/x%7Cy%3Ez|Open device x|y&gt;z>`,
    );
  });

  it("puts every outside text of a Teams card into plain text runs, never Markdown (a device ID cannot become a link)", () => {
    const subject = "[update firmware](https://evil.example/x) **now**";
    const request = buildChannelRequest(
      { ...NOTIFICATION, subject, message: `Device ${subject} dropped 5 times` },
      { type: "teams", name: "t", settings: {}, secrets: { url: "https://example.com/teams" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    const markdownFields: string[] = [];
    // TextBlock text and FactSet values are Markdown in Adaptive Cards; TextRuns are not.
    JSON.stringify(request.body, function (this: Record<string, unknown>, key, value: unknown) {
      if (typeof value === "string" && value.includes("evil.example") && this.type !== "TextRun") markdownFields.push(key);
      return value;
    });
    expect(markdownFields).toEqual([]);
    expect(JSON.stringify(request.body)).toContain(JSON.stringify(subject));
  });

  it("keeps the generic webhook body of issue 5", () => {
    const request = buildChannelRequest(
      { ...NOTIFICATION, status: "test", value: null },
      { type: "webhook", name: "w", settings: {}, secrets: { url: "https://example.com/h" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    expect(request.body).toMatchObject({
      alert: {
        rule: NOTIFICATION.rule.name,
        kind: "connected_below",
        status: "test",
        value: null,
        threshold: 20,
        scope: { source: null, brokerNode: null },
        subject: "fleet",
        startedAt: NOTIFICATION.startedAt,
      },
      link: NOTIFICATION.link.url,
      text: expect.stringContaining(":test_tube: *TEST*"),
    });
  });

  it("keeps the threshold a baseline rule compared with, and answers it in the webhook and PagerDuty bodies", () => {
    const rule = {
      id: "r2",
      name: "Drops",
      kind: "disconnect_rate_above" as const,
      threshold: 5,
      baseline: { multiplier: 3 },
      windowMs: 300_000,
      source: null,
      brokerNode: null,
    };
    const link = { url: `${BASE}/fleet`, label: "Open fleet view" };
    const stored = toStoredNotification(
      { rule, status: "firing", subject: "fleet", value: 20, threshold: 12.5, startedAt: new Date(NOTIFICATION.startedAt), link },
      new Date(NOTIFICATION.occurredAt),
    );
    expect(stored.threshold).toBe(12.5);
    expect(stored.message).toContain("alert above 12.5 (3 × the usual rate, at least 5)");
    const webhook = buildChannelRequest(
      stored,
      { type: "webhook", name: "w", settings: {}, secrets: { url: "https://example.com/h" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    expect(webhook.body).toMatchObject({ alert: { threshold: 12.5 } });
    const pagerduty = buildChannelRequest(
      stored,
      { type: "pagerduty", name: "p", settings: { severity: "error" }, secrets: { routingKey: "R0123456789abcdef" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    expect(pagerduty.body).toMatchObject({ payload: { custom_details: { threshold: 12.5 } } });
    // No baseline yet (Infinity): the rule's floor, as on the history row.
    expect(
      toStoredNotification(
        { rule, status: "test", subject: "fleet", value: 0, threshold: Infinity, startedAt: new Date(), link },
        new Date(),
      ).threshold,
    ).toBe(5);
  });

  it("uses one dedup key per rule and subject, hashed when a device ID is too long for PagerDuty", () => {
    expect(buildDedupKey(NOTIFICATION)).toBe("linkscope:r1:fleet");
    expect(buildDedupKey({ ...NOTIFICATION, status: "resolved" })).toBe("linkscope:r1:fleet");
    const long = buildDedupKey({ ...NOTIFICATION, subject: "d".repeat(400) });
    expect(long).toMatch(/^linkscope:r1:sha256:[0-9a-f]{64}$/);
    expect(long.length).toBeLessThanOrEqual(255);
  });

  it("sends PagerDuty and Opsgenie tests under their own key, so a test never resolves a real alert", () => {
    const pd = buildChannelRequest(
      { ...NOTIFICATION, status: "test" },
      { type: "pagerduty", name: "p", settings: { severity: "error" }, secrets: { routingKey: "k" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    expect(pd.url).toBe("https://events.pagerduty.com/v2/enqueue");
    expect(pd.body).toMatchObject({
      event_action: "trigger",
      dedup_key: "linkscope:r1:fleet:test:2026-11-22T10:00:00.000Z",
      payload: { severity: "info" },
    });
    const og = buildChannelRequest(
      NOTIFICATION,
      { type: "opsgenie", name: "o", settings: { region: "eu", priority: "P3" }, secrets: { apiKey: "k" } },
      DEFAULT_CHANNEL_ENDPOINTS,
    );
    expect(og.url).toBe("https://api.eu.opsgenie.com/v2/alerts");
  });

  it("escapes user text in the email's HTML and keeps the subject on one line", () => {
    const email = buildEmailMessage({ ...NOTIFICATION, rule: { ...NOTIFICATION.rule, name: "a\r\nBcc: x@example.com <b>" } });
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).toContain("a\r\nBcc: x@example.com &lt;b&gt;");
    expect(email.text).toContain(`Open fleet view: ${BASE}/fleet?from=a&to=b`);
  });

  it("validates channel settings per type and masks secrets", () => {
    expect(
      ChannelConfigSchemas.email.settings.parse({ host: "smtp.example.com", from: "a@example.com", to: "b@example.com, c@example.com" }),
    ).toEqual({
      host: "smtp.example.com",
      port: 587,
      security: "starttls",
      username: null,
      from: "a@example.com",
      to: ["b@example.com", "c@example.com"],
    });
    expect(ChannelConfigSchemas.slack.secrets.safeParse({ url: "file:///etc/passwd" }).success).toBe(false);
    expect(ChannelConfigSchemas.pagerduty.secrets.safeParse({ routingKey: "has space" }).success).toBe(false);
    expect(toChannelConfig({ type: "teams", name: "t", settings: {}, secrets: {} })).toBeNull();
    expect(maskSecretKey("R0UTINGKEY0123456789abcdef012345")).toBe("…2345");
    expect(maskSecretKey("short")).toBe("set");
  });

  it("backs off exponentially up to a cap", () => {
    const policy = { baseBackoffMs: 10_000, maxBackoffMs: 600_000 };
    expect([1, 2, 3, 4, 7, 8].map((attempt) => retryDelayMs(attempt, policy))).toEqual([10_000, 20_000, 40_000, 80_000, 600_000, 600_000]);
  });
});
