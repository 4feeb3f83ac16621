import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseRows, RowShapeError } from "./query-rows.ts";
import { SqlCount, SqlNumber } from "./sql-values.ts";

const Row = z.object({ id: z.string(), count: SqlCount, at: z.date().nullable() });

describe("parseRows", () => {
  it("returns every row as the schema's output", () => {
    const at = new Date("2026-12-02T08:00:00Z");
    expect(
      parseRows("listThings", Row, [
        { id: "a", count: 3n, at },
        { id: "b", count: 4, at: null },
      ]),
    ).toEqual([
      { id: "a", count: 3, at },
      { id: "b", count: 4, at: null },
    ]);
  });

  it("names the query, the row and the field that does not match", () => {
    const rows = [
      { id: "a", count: 1, at: null },
      { id: "b", count: "7", at: null },
    ];
    expect(() => parseRows("listThings", Row, rows)).toThrow(RowShapeError);
    expect(() => parseRows("listThings", Row, rows)).toThrow(/^listThings: row 1, field "count": /);
  });

  it("names a missing column", () => {
    expect(() => parseRows("listThings", Row, [{ id: "a", at: null }])).toThrow(/field "count"/);
  });
});

describe("SQL value schemas", () => {
  it("turns bigint counts into numbers but refuses ones past 2^53", () => {
    expect(SqlCount.parse(12n)).toBe(12);
    expect(() => SqlCount.parse(2n ** 60n)).toThrow(/beyond a safe integer/);
    expect(() => SqlCount.parse(1.5)).toThrow();
  });

  it("reads numeric values as numbers whether they come as Decimal, text or bigint", () => {
    expect(SqlNumber.parse({ toNumber: () => 2.5 })).toBe(2.5);
    expect(SqlNumber.parse("12.75")).toBe(12.75);
    expect(SqlNumber.parse(9n)).toBe(9);
    expect(() => SqlNumber.parse("twelve")).toThrow();
  });
});
