import { describe, expect, it } from "vitest";
import { createOutboundPolicy, OutboundAllowConfigError, readOutboundPolicy } from "./outbound-policy.ts";

describe("outbound policy", () => {
  const closed = createOutboundPolicy([]);

  it("allows public unicast addresses", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "11.0.0.1"])
      expect(closed.refuseAddress(address), address).toBeNull();
  });

  it("refuses loopback, private, shared, link-local, reserved and multicast addresses, IPv4-mapped ones too", () => {
    for (const address of [
      "127.0.0.1",
      "127.9.9.9",
      "10.0.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "100.100.100.100",
      "169.254.169.254",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fd12::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
    ]) {
      expect(closed.refuseAddress(address), address).toMatch(/LINKSCOPE_OUTBOUND_ALLOW/);
    }
    expect(closed.refuseAddress("localhost")).toBe("not an IP address");
  });

  it("allows what the operator lists, and only that", () => {
    const policy = readOutboundPolicy({ LINKSCOPE_OUTBOUND_ALLOW: "10.20.0.0/16, 127.0.0.1 fd00::/8" });
    expect(policy.refuseAddress("10.20.3.4")).toBeNull();
    expect(policy.refuseAddress("::ffff:127.0.0.1")).toBeNull();
    expect(policy.refuseAddress("fd00::5")).toBeNull();
    expect(policy.refuseAddress("10.21.0.1")).not.toBeNull();
    expect(policy.refuseAddress("169.254.169.254")).not.toBeNull();
  });

  it("rejects entries that are not addresses or CIDRs", () => {
    expect(() => createOutboundPolicy(["*.example.com"])).toThrow(OutboundAllowConfigError);
    expect(() => createOutboundPolicy(["10.0.0.0/33"])).toThrow(OutboundAllowConfigError);
  });
});
