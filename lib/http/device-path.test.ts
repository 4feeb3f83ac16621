import { describe, expect, it } from "vitest";
import { decodeDeviceIdSegments, deviceApiPath, deviceHref, deviceIdFromPageLink } from "./device-path.ts";

const AWKWARD = "plant 7/line#2+ü";

describe("deviceHref", () => {
  it("puts the whole ID into one encoded path segment", () => {
    expect(deviceHref(AWKWARD)).toBe("/devices/plant%207%2Fline%232%2B%C3%BC");
    expect(deviceHref("a?b%c")).toBe("/devices/a%3Fb%25c");
  });

  it("encodes IDs that browsers would resolve as path steps", () => {
    expect(deviceHref(".")).toBe("/devices/%2E");
    expect(deviceHref("..")).toBe("/devices/%2E%2E");
  });

  it("appends the range as query parameters", () => {
    expect(deviceHref("d1", { from: "2026-11-22T10:00:00.000Z" })).toBe("/devices/d1?from=2026-11-22T10%3A00%3A00.000Z");
    expect(deviceHref("d1", { from: "a", to: "b" })).toBe("/devices/d1?from=a&to=b");
  });
});

describe("deviceApiPath", () => {
  it("encodes the ID for the API routes", () => {
    expect(deviceApiPath(AWKWARD, "events")).toBe("/api/v1/devices/plant%207%2Fline%232%2B%C3%BC/events");
    expect(deviceApiPath("x")).toBe("/api/v1/devices/x");
  });
});

describe("decodeDeviceIdSegments", () => {
  it("round-trips deviceHref's segment", () => {
    const segment = deviceHref(AWKWARD).slice("/devices/".length);
    expect(decodeDeviceIdSegments([segment])).toBe(AWKWARD);
  });

  it("joins segments split by an unencoded slash", () => {
    expect(decodeDeviceIdSegments(["plant%207", "line%232%2B%C3%BC"])).toBe(AWKWARD);
  });

  it("decodes each segment once, so a literal %41 in an ID survives", () => {
    expect(decodeDeviceIdSegments([encodeURIComponent("id%41")])).toBe("id%41");
  });

  it("rejects malformed escapes and empty IDs", () => {
    expect(decodeDeviceIdSegments(["%E0%A4%A"])).toBeNull();
    expect(decodeDeviceIdSegments([])).toBeNull();
  });

  it("names no device for an ID holding NUL, which no stored ID can", () => {
    expect(decodeDeviceIdSegments(["a%00b"])).toBeNull();
  });

  it("reads the device out of a pasted link to its page, from any host, with or without a range", () => {
    expect(deviceIdFromPageLink(`  https://linkscope.example${deviceHref(AWKWARD)}?from=2026-11-01T00:00:00Z  `)).toBe(AWKWARD);
    expect(deviceIdFromPageLink("http://127.0.0.1:3000/devices/sensor-001/")).toBe("sensor-001");
    expect(deviceIdFromPageLink("sensor-001")).toBeNull();
    expect(deviceIdFromPageLink("https://example.com/fleet")).toBeNull();
    expect(deviceIdFromPageLink("https://example.com/devices/")).toBeNull();
    expect(deviceIdFromPageLink("https://example.com/devices/%E0%A4%A")).toBeNull();
    expect(deviceIdFromPageLink("https://[bad")).toBeNull();
  });
});
