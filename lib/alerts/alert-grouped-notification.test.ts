import { describe, expect, it } from "vitest";
import { isRuleWithinScope, parseLabelMatch } from "./alert-exclusions.ts";
import { buildGroupedWebhookPayload, listDevices, withNoticeReason } from "./alert-grouped-notification.ts";
import type { NotifiedRule } from "./alert-notification.ts";

const rule: NotifiedRule = { id: "r1", name: "Offline <too> long", kind: "device_offline_longer", threshold: 30, windowMs: 300_000, source: null, brokerNode: "emqx@10.0.0.5" };
const link = { url: "https://linkscope.example.com/fleet?from=a&to=b", label: "Open fleet view" };

describe("grouped alert notifications", () => {
  it("lists the first ten devices and counts the rest", () => {
    const ids = Array.from({ length: 13 }, (_, i) => `dev-${i}`);
    expect(listDevices(ids)).toBe("dev-0, dev-1, dev-2, dev-3, dev-4, dev-5, dev-6, dev-7, dev-8, dev-9 and 3 more");
    const payload = buildGroupedWebhookPayload({ rule, status: "firing", deviceIds: ids, startedAt: new Date("2026-12-02T02:00:00Z"), link });
    expect(payload.devices).toEqual({ count: 13, listed: ids.slice(0, 10) });
    expect(payload.alert).toMatchObject({ status: "firing", subject: "fleet", value: 13 });
    expect(payload.text.split("\n")).toEqual([
      ":rotating_light: *FIRING* Offline &lt;too&gt; long (Device offline longer than)",
      `13 devices offline for more than 30 min (node emqx@10.0.0.5): ${listDevices(ids)}`,
      `<${link.url}|Open fleet view>`,
    ]);
  });

  it("says why a firing alert is sent again", () => {
    expect(withNoticeReason({ text: "x" }, "reminder").text).toBe("_Still firing, not acknowledged_\nx");
    expect(withNoticeReason({ text: "x" }, "transition").text).toBe("x");
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
