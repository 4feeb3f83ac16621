import { describe, expect, it } from "vitest";
import {
  DEFAULT_DEVICE_LIST_FILTER,
  DeviceListParamsSchema,
  describeDeviceListFilter,
  parseDeviceListParams,
  serializeDeviceListParams,
} from "./device-list-params.ts";

describe("device list URL parameters", () => {
  it("round-trips every field through the URL", () => {
    const filter = {
      query: "plant 7/line#2+ü %_\\",
      match: "prefix" as const,
      state: "offline" as const,
      reason: "keepalive_timeout" as const,
      source: "emqx",
      brokerNode: "emqx@node-1",
      firmware: "2.4.1",
      region: "eu-west",
      network: "lte",
      sort: "disconnects" as const,
      dir: "desc" as const,
    };
    const text = serializeDeviceListParams(filter).toString();
    expect(parseDeviceListParams(new URLSearchParams(text))).toEqual(filter);
  });

  it("leaves defaults out of the URL, in a fixed order", () => {
    expect(serializeDeviceListParams(DEFAULT_DEVICE_LIST_FILTER).toString()).toBe("");
    expect(serializeDeviceListParams({ ...DEFAULT_DEVICE_LIST_FILTER, dir: "desc", region: "eu", query: "  a  " }).toString()).toBe(
      "query=a&region=eu&dir=desc",
    );
  });

  it("reads page search params (arrays take the first value) and drops invalid values on the page", () => {
    expect(
      parseDeviceListParams({ query: ["x", "y"], state: "sideways", sort: "nonsense", dir: "desc", reason: "auth_failed", source: "  " }),
    ).toEqual({
      ...DEFAULT_DEVICE_LIST_FILTER,
      query: "x",
      dir: "desc",
      reason: "auth_failed",
    });
  });

  it("is strict for the API: an unknown state or sort is a readable error", () => {
    const result = DeviceListParamsSchema.safeParse({ state: "connected", sort: "size" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["state", "must be one of online, offline, unknown"],
      ["sort", "must be one of id, state, changed, disconnects, reason"],
    ]);
    expect(DeviceListParamsSchema.safeParse({ query: "x".repeat(513) }).success).toBe(false);
  });

  it("describes the filter for the audit log with match and sort always present", () => {
    expect(describeDeviceListFilter({ ...DEFAULT_DEVICE_LIST_FILTER, state: "online" })).toEqual({
      match: "substring",
      sort: "id",
      dir: "asc",
      state: "online",
    });
  });

  it("keeps a search text too long for the API, so the list says why instead of matching every device", () => {
    const long = "a".repeat(10_000);
    expect(parseDeviceListParams({ query: `  ${long} ` }).query).toBe(long);
    expect(DeviceListParamsSchema.safeParse({ query: long }).success).toBe(false);
  });
});
