import { describe, expect, it } from "vitest";
import {
  DEFAULT_DEVICE_LIST_FILTER,
  parseDeviceListParams,
  serializeDeviceListParams,
  type DeviceListFilter,
} from "@/lib/devices/device-list-params.ts";
import { applyUrlStateUpdate, type UrlStateUpdate } from "./url-state-update.ts";

const write = (update: UrlStateUpdate<DeviceListFilter>, currentSearch: string) =>
  serializeDeviceListParams(applyUrlStateUpdate(update, currentSearch, parseDeviceListParams)).toString();

describe("applyUrlStateUpdate", () => {
  // The device list as last rendered: no filter yet. Since then a select wrote `match=prefix`, not yet rendered.
  const rendered = parseDeviceListParams(new URLSearchParams(""));

  it("applies a change to the address at write time, so a newer write in it is kept", () => {
    expect(write((current) => ({ ...current, query: "ULK-0299" }), "?match=prefix")).toBe("query=ULK-0299&match=prefix");
    // What writing the rendered snapshot did: the select's change is gone.
    expect(write({ ...rendered, query: "ULK-0299" }, "?match=prefix")).toBe("query=ULK-0299");
  });

  it("composes the search text and a filter in either order", () => {
    const search = (current: DeviceListFilter): DeviceListFilter => ({ ...current, query: "ULK-0299" });
    const match = (current: DeviceListFilter): DeviceListFilter => ({ ...current, match: "prefix" });
    expect(write(match, `?${write(search, "")}`)).toBe("query=ULK-0299&match=prefix");
    expect(write(search, `?${write(match, "")}`)).toBe("query=ULK-0299&match=prefix");
  });

  it("writes a whole state as it is, whatever the address holds", () => {
    expect(write({ ...DEFAULT_DEVICE_LIST_FILTER, sort: "state" }, "?query=x&match=prefix&reason=throttled")).toBe("sort=state");
  });
});
