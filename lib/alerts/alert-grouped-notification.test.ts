import { describe, expect, it } from "vitest";
import { isRuleWithinScope, parseLabelMatch } from "./alert-exclusions.ts";
import { describeDeviceGroup, listDevices, withNoticeReason } from "./alert-grouped-notification.ts";
import type { NotifiedRule } from "./alert-notification.ts";
import { toStoredNotification } from "./channels/stored-notification.ts";
import { describeSuppression, isSuppressedMessage } from "./suppressed-note.ts";
import { buildWebhookRequest } from "./channels/webhook-request.ts";

const rule: NotifiedRule = {
  id: "r1",
  name: "Offline <too> long",
  kind: "device_offline_longer",
  threshold: 30,
  windowMs: 300_000,
  source: null,
  brokerNode: "emqx@10.0.0.5",
};
const link = { url: "https://linkscope.example.com/fleet?from=a&to=b", label: "Open fleet view" };

describe("grouped alert notifications", () => {
  it("lists the first ten devices and counts the rest", () => {
    const ids = Array.from({ length: 13 }, (_, i) => `dev-${i}`);
    expect(listDevices(ids)).toBe("dev-0, dev-1, dev-2, dev-3, dev-4, dev-5, dev-6, dev-7, dev-8, dev-9 and 3 more");
    const startedAt = new Date("2026-12-02T02:00:00Z");
    const stored = toStoredNotification(
      { rule, status: "firing", subject: "fleet", value: 13, startedAt, link },
      startedAt,
      describeDeviceGroup(rule, "firing", ids),
    );
    const { body } = buildWebhookRequest(
      { ...stored, devices: { count: 13, listed: ids.slice(0, 10) } },
      { url: "https://hooks.example.com/x" },
    );
    expect(body).toMatchObject({
      devices: { count: 13, listed: ids.slice(0, 10) },
      alert: { status: "firing", subject: "fleet", value: 13 },
    });
    expect(JSON.stringify(body)).toContain(`13 devices offline for more than 30 min (node emqx@10.0.0.5): ${listDevices(ids)}`);
  });

  it("says why a firing alert is sent again", () => {
    expect(withNoticeReason("x", "reminder")).toBe("Still firing, not acknowledged: x");
    expect(withNoticeReason("x", "transition")).toBe("x");
  });

  it("recognises a suppressed notification's history message", () => {
    expect(isSuppressedMessage(`connected 2 < 3 — ${describeSuppression("silence: planned work")}`)).toBe(true);
    expect(isSuppressedMessage(`connected 2 < 3 — Still firing, not acknowledged; ${describeSuppression(null)}`)).toBe(true);
    expect(isSuppressedMessage("connected 2 < 3")).toBe(false);
  });
});

describe("exclusion helpers", () => {
  it("parses key=value labels and matches rules within a scope", () => {
    expect(parseLabelMatch("site = north=4")).toEqual({ key: "site", value: "north=4" });
    expect(parseLabelMatch("=x")).toBeNull();
    expect(isRuleWithinScope({ source: "emqx", brokerNode: "n1" }, { brokerNode: "n1" })).toBe(true);
    expect(isRuleWithinScope({ source: "emqx", brokerNode: null }, { brokerNode: "n1" })).toBe(false);
    expect(isRuleWithinScope({ source: null, brokerNode: null }, {})).toBe(true);
  });
});
