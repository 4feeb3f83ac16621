import { describe, expect, it } from "vitest";
import { buildAlertLink, describeAlertValue, escapeSlackText, resolvePublicBaseUrl, type NotifiedRule } from "./alert-notification.ts";

const RULE: NotifiedRule = {
  id: "r1",
  name: "Fleet <down> & out",
  kind: "connected_below",
  threshold: 20,
  windowMs: 300_000,
  source: null,
  brokerNode: null,
};
const STARTED = new Date("2026-11-22T10:00:00.000Z");
const BASE = "https://linkscope.example.com";

describe("alert notifications", () => {
  it("links a device alert to the device page, with the ID encoded", () => {
    expect(buildAlertLink({ baseUrl: `${BASE}/`, subject: "dev/1 #a", incidentId: "i-1", startedAt: STARTED, until: STARTED })).toEqual({
      url: `${BASE}/devices/dev%2F1%20%23a`,
      label: "Open device dev/1 #a",
    });
  });

  it("links a fleet alert to an overlapping incident, else to the fleet view around it", () => {
    expect(buildAlertLink({ baseUrl: BASE, subject: "fleet", incidentId: "abc", startedAt: STARTED, until: STARTED }).url).toBe(
      `${BASE}/incidents/abc`,
    );
    const fleet = new URL(
      buildAlertLink({ baseUrl: BASE, subject: "fleet", incidentId: null, startedAt: STARTED, until: new Date("2026-11-22T10:30:00Z") })
        .url,
    );
    expect(fleet.pathname).toBe("/fleet");
    expect(fleet.searchParams.get("from")).toBe("2026-11-22T09:00:00.000Z");
    expect(fleet.searchParams.get("to")).toBe("2026-11-22T10:30:00.000Z");
  });

  it("escapes Slack mrkdwn", () => {
    expect(escapeSlackText("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
  });

  it("describes each kind's value against its threshold", () => {
    expect(describeAlertValue({ ...RULE, kind: "code_rate_above", code: "emqx:keepalive_timeout", threshold: 2 }, "fleet", 3.5)).toBe(
      "emqx:keepalive_timeout: 3.5 events per minute over the last 5 min; alert above 2",
    );
    expect(describeAlertValue({ ...RULE, kind: "connected_drop_percent", threshold: 25, brokerNode: "n1" }, "fleet", 40)).toBe(
      "connected devices dropped by 40 % within 5 min (node n1); alert at more than 25 %",
    );
    expect(describeAlertValue({ ...RULE, kind: "device_offline_longer", threshold: 30 }, "meter-1", 45.5)).toBe(
      "device meter-1 offline for 45.5 min (all sources); alert after 30 min",
    );
    expect(describeAlertValue({ ...RULE, kind: "device_offline_longer", threshold: 30 }, "meter-1", 20_151.5)).toMatch(/offline for 14 d /);
    expect(describeAlertValue({ ...RULE, kind: "device_offline_longer", threshold: 30 }, "meter-1", 150)).toMatch(/offline for 2.5 h /);
    expect(describeAlertValue({ ...RULE, kind: "device_offline_longer", threshold: 30 }, "meter-1", 0)).toBe(
      "device meter-1 is back online (all sources)",
    );
  });

  it("takes the public URL from LINKSCOPE_PUBLIC_URL, then NEXTAUTH_URL, then the local default", () => {
    expect(resolvePublicBaseUrl({ LINKSCOPE_PUBLIC_URL: "https://a.example/", NEXTAUTH_URL: "https://b.example" })).toBe(
      "https://a.example",
    );
    expect(resolvePublicBaseUrl({ NEXTAUTH_URL: "http://127.0.0.1:3103" })).toBe("http://127.0.0.1:3103");
    expect(resolvePublicBaseUrl({})).toBe("http://127.0.0.1:3000");
  });
});
