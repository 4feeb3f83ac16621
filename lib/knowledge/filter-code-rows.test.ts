import { describe, expect, it } from "vitest";
import { filterCodeRows, type CodeRow } from "./filter-code-rows.ts";

const row = (code: string, vendor: string, meaning: string, fleetCount = 0): CodeRow => ({
  code,
  vendor,
  name: code,
  meaning,
  reason: "unknown",
  fleetCount,
  searchText: `${code} ${vendor} ${meaning}`.toLowerCase(),
});

const rows = [
  row("mqtt5:0x8E", "mqtt5", "Session taken over by another client", 3),
  row("azure:404104", "azure", "The connection was closed remotely, see 404104"),
  row("emqx:takenover", "emqx", "Session taken over", 1),
];

describe("filterCodeRows", () => {
  it("matches every word against code, vendor and meaning, case-insensitively", () => {
    expect(filterCodeRows(rows, { query: "TAKEN over" }).map((r) => r.code)).toEqual(["mqtt5:0x8E", "emqx:takenover"]);
    expect(filterCodeRows(rows, { query: "emqx" }).map((r) => r.code)).toEqual(["emqx:takenover"]);
  });

  it("puts codes containing the query first", () => {
    expect(filterCodeRows([rows[1]!, row("azure:404104x", "azure", "other")], { query: "404104" }).map((r) => r.code)).toEqual([
      "azure:404104",
      "azure:404104x",
    ]);
    expect(filterCodeRows(rows, { query: "takenover" }).map((r) => r.code)).toEqual(["emqx:takenover"]);
  });

  it("filters by vendor and by presence in the fleet", () => {
    expect(filterCodeRows(rows, { vendor: "azure" }).map((r) => r.code)).toEqual(["azure:404104"]);
    expect(filterCodeRows(rows, { seenOnly: true }).map((r) => r.code)).toEqual(["mqtt5:0x8E", "emqx:takenover"]);
    expect(filterCodeRows(rows, {})).toHaveLength(3);
  });
});
