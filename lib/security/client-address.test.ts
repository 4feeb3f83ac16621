import { describe, expect, it } from "vitest";
import { normalizeAddress, parseTrustedProxies, resolveClientAddress } from "@/lib/security/client-address.ts";

describe("resolveClientAddress", () => {
  it("ignores X-Forwarded-For entirely when no proxy is trusted (the default)", () => {
    const none = parseTrustedProxies(undefined);
    expect(resolveClientAddress("127.0.0.1", "203.0.113.9", none)).toBe("127.0.0.1");
    expect(resolveClientAddress("::ffff:198.51.100.7", ["203.0.113.9", "10.0.0.1"], none)).toBe("198.51.100.7");
  });

  it("reads forwarded hops from the right through trusted proxies only", () => {
    const trusted = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");
    expect(resolveClientAddress("10.1.2.3", "198.51.100.7", trusted)).toBe("198.51.100.7");
    // A client that prepends its own entries is still identified by what our proxy appended.
    expect(resolveClientAddress("10.1.2.3", "1.2.3.4, 5.6.7.8, 198.51.100.7", trusted)).toBe("198.51.100.7");
    expect(resolveClientAddress("127.0.0.1", ["1.2.3.4, 198.51.100.7", "10.9.9.9"], trusted)).toBe("198.51.100.7");
  });

  it("does not read X-Forwarded-For from a peer that is not a trusted proxy", () => {
    const trusted = parseTrustedProxies("10.0.0.0/8");
    expect(resolveClientAddress("198.51.100.7", "10.0.0.5", trusted)).toBe("198.51.100.7");
  });

  it("falls back to the proxy when it forwards nothing usable", () => {
    const trusted = parseTrustedProxies("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", undefined, trusted)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "not-an-ip", trusted)).toBe("10.0.0.1");
    expect(resolveClientAddress(undefined, "203.0.113.9", trusted)).toBeNull();
  });

  it("handles IPv6 proxies and ports", () => {
    const trusted = parseTrustedProxies("::1 fd00::/8");
    expect(resolveClientAddress("::1", "[2001:db8::5]:443", trusted)).toBe("2001:db8::5");
    expect(resolveClientAddress("fd00::3", "192.0.2.4:5000", trusted)).toBe("192.0.2.4");
  });
});

describe("parseTrustedProxies", () => {
  it("refuses entries that are not addresses or CIDRs", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("proxy.example")).toThrow(/not an IP/);
    expect(() => parseTrustedProxies("10.0.0.0/8/1")).toThrow(/not an IP/);
  });
});

describe("normalizeAddress", () => {
  it("unwraps mapped IPv4 and drops ports", () => {
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress("[::1]:80")).toBe("::1");
    expect(normalizeAddress("garbage")).toBeNull();
  });
});
