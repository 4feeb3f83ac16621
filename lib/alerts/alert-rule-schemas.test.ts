import { describe, expect, it } from "vitest";
import { describeZodError } from "@/lib/validation/zod-issues.ts";
import { AlertHistoryQuerySchema, CreateAlertRuleSchema } from "./alert-rule-schemas.ts";

const base = { name: "Fleet down", forSeconds: 60, clearForSeconds: 60 };

function errorOf(input: unknown): string {
  const result = CreateAlertRuleSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return describeZodError(result.error);
}

describe("alert rule schemas", () => {
  it("accepts each kind with its own parameters and fills the defaults", () => {
    expect(CreateAlertRuleSchema.parse({ ...base, kind: "connected_below", params: { threshold: 20 } })).toMatchObject({
      kind: "connected_below",
      params: { threshold: 20 },
      windowMinutes: 5,
      clearMargin: 0,
      enabled: true,
      source: null,
      brokerNode: null,
      channelIds: [],
    });
    expect(
      CreateAlertRuleSchema.parse({ ...base, kind: "code_rate_above", params: { code: "emqx:keepalive_timeout", threshold: 0.5 } }).kind,
    ).toBe("code_rate_above");
    expect(
      CreateAlertRuleSchema.parse({ ...base, kind: "code_rate_above", params: { code: "keepalive_timeout", threshold: 1 } }).kind,
    ).toBe("code_rate_above");
    const channelId = "0b6f1c7e-4f7a-4c1e-9f55-3a2b1c0d9e8f";
    expect(
      CreateAlertRuleSchema.parse({
        ...base,
        kind: "device_offline_longer",
        params: { threshold: 30 },
        source: "emqx",
        channelIds: [channelId],
      }).channelIds,
    ).toEqual([channelId]);
  });

  it("rejects parameters that do not fit the kind, readably", () => {
    expect(errorOf({ ...base, kind: "connected_drop_percent", params: { threshold: 150 } })).toMatch(/at most 100 %/);
    expect(errorOf({ ...base, kind: "connected_below", params: { threshold: 2.5 } })).toMatch(/whole number of devices/);
    expect(errorOf({ ...base, kind: "code_rate_above", params: { threshold: 1 } })).toMatch(/params\.code/);
    expect(errorOf({ ...base, kind: "code_rate_above", params: { code: "keepalive", threshold: 1 } })).toMatch(
      /vendor code with its namespace/,
    );
    expect(errorOf({ ...base, kind: "disconnect_rate_above", params: { threshold: 0 } })).toMatch(/greater than 0/);
    expect(errorOf({ ...base, kind: "nonsense", params: {} })).toMatch(/kind must be one of connected_below/);
  });

  it("accepts a scope for code rates and refuses channel IDs that are not IDs", () => {
    expect(
      CreateAlertRuleSchema.safeParse({
        ...base,
        kind: "code_rate_above",
        params: { code: "emqx:takenover", threshold: 1 },
        source: "emqx",
      }).success,
    ).toBe(true);
    expect(errorOf({ ...base, kind: "connected_below", params: { threshold: 3 }, channelIds: ["'; drop table"] })).toMatch(
      /must be channel IDs/,
    );
  });

  it("parses history filters", () => {
    expect(AlertHistoryQuerySchema.parse({ status: "fired", limit: "20" })).toEqual({ status: "fired", limit: 20 });
    expect(AlertHistoryQuerySchema.safeParse({ status: "exploded" }).success).toBe(false);
    expect(AlertHistoryQuerySchema.safeParse({ ruleId: "1; drop table" }).success).toBe(false);
  });
});

describe("rate rules against the usual rate", () => {
  it("default to a fixed threshold and take K with a floor in baseline mode", () => {
    expect(CreateAlertRuleSchema.parse({ ...base, kind: "disconnect_rate_above", params: { threshold: 2 } }).params).toEqual({
      threshold: 2,
      mode: "fixed",
    });
    expect(
      CreateAlertRuleSchema.parse({
        ...base,
        kind: "code_rate_above",
        params: { code: "keepalive_timeout", mode: "baseline", multiplier: 3, threshold: 0.5 },
      }).params,
    ).toEqual({
      code: "keepalive_timeout",
      mode: "baseline",
      multiplier: 3,
      threshold: 0.5,
    });
  });

  it("refuses a baseline without K, a K below 1, and a missing floor", () => {
    expect(errorOf({ ...base, kind: "disconnect_rate_above", params: { mode: "baseline", threshold: 1 } })).toContain(
      "params.multiplier: give K",
    );
    expect(errorOf({ ...base, kind: "disconnect_rate_above", params: { mode: "baseline", multiplier: 0.5, threshold: 1 } })).toContain(
      "params.multiplier: K is at least 1",
    );
    expect(errorOf({ ...base, kind: "disconnect_rate_above", params: { mode: "baseline", multiplier: 3 } })).toContain("params.threshold");
    expect(errorOf({ ...base, kind: "disconnect_rate_above", params: { mode: "usual", threshold: 1 } })).toContain(
      "params.mode: must be one of fixed, baseline",
    );
  });
});
