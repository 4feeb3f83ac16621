import { describe, expect, it } from "vitest";
import { createProbeTargetPolicy, ProbeTargetsConfigError, readProbeTargetEntries } from "./probe-target-policy.ts";

describe("createProbeTargetPolicy", () => {
  const policy = createProbeTargetPolicy(["broker.example.com", "*.iot.example.net", "10.20.0.0/16", "127.0.0.1"]);

  it("allows listed names, wildcard subdomains and addresses inside listed CIDRs", () => {
    expect(policy.refuseHost("broker.example.com")).toBeNull();
    expect(policy.refuseHost("BROKER.example.com.")).toBeNull();
    expect(policy.refuseHost("a.b.iot.example.net")).toBeNull();
    expect(policy.refuseHost("10.20.3.4")).toBeNull();
    expect(policy.refuseHost("127.0.0.1")).toBeNull();
  });

  it("refuses names and addresses that are not listed", () => {
    expect(policy.refuseHost("iot.example.net")).toMatch(/not in LINKSCOPE_PROBE_TARGETS/);
    expect(policy.refuseHost("evil-broker.example.com")).not.toBeNull();
    expect(policy.refuseHost("10.21.0.1")).not.toBeNull();
    expect(policy.refuseHost("127.0.0.2")).not.toBeNull();
    expect(createProbeTargetPolicy([]).refuseHost("broker.example.com")).toMatch(/no probe targets/);
  });

  it("refuses loopback, link-local and unspecified addresses a listed name resolves to unless they are listed (no DNS rebinding)", () => {
    expect(policy.refuseAddress("93.184.216.34")).toBeNull();
    expect(policy.refuseAddress("10.1.2.3")).toBeNull();
    expect(policy.refuseAddress("127.0.0.1")).toBeNull();
    for (const address of [
      "127.0.0.2",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "fe80::1",
      "::ffff:127.0.0.5",
      "::ffff:169.254.169.254",
      "224.0.0.1",
    ]) {
      expect(policy.refuseAddress(address), address).toMatch(/only when LINKSCOPE_PROBE_TARGETS lists them/);
    }
    expect(policy.refuseAddress("::ffff:127.0.0.1")).toBeNull();
  });

  it("rejects entries that are neither names, patterns, addresses nor CIDRs", () => {
    expect(() => createProbeTargetPolicy(["10.0.0.0/33"])).toThrow(ProbeTargetsConfigError);
    expect(() => createProbeTargetPolicy(["http://broker"])).toThrow(ProbeTargetsConfigError);
    expect(() => createProbeTargetPolicy(["*"])).toThrow(ProbeTargetsConfigError);
  });
});

describe("readProbeTargetEntries", () => {
  it("uses LINKSCOPE_PROBE_TARGETS when set, and the configured sources' hosts otherwise", () => {
    expect(readProbeTargetEntries({ LINKSCOPE_PROBE_TARGETS: "a.example.com, 10.0.0.0/8" }, () => ["mqtts://ignored:8883"])).toEqual([
      "a.example.com",
      "10.0.0.0/8",
    ]);
    expect(
      readProbeTargetEntries({ MQTT_URL: "mqtt://127.0.0.1:1884" }, () => ["mqtts://broker.example.com:8883", "wss://[::1]:443"]),
    ).toEqual(["broker.example.com", "::1", "127.0.0.1"]);
    expect(readProbeTargetEntries({ LINKSCOPE_PROBE_TARGETS: "" }, () => ["mqtt://x"])).toEqual([]);
  });
});
