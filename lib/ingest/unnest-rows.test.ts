import { describe, expect, it } from "vitest";
import { toArrayLiteral, unnestRows } from "./unnest-rows.ts";

describe("toArrayLiteral", () => {
  it("quotes every string and escapes only quotes and backslashes", () => {
    expect(toArrayLiteral(["plain", 'say "hi"', "C:\\dir", "", "NULL", "a,b {c}"])).toBe(
      '{"plain","say \\"hi\\"","C:\\\\dir","","NULL","a,b {c}"}',
    );
  });

  it("writes SQL NULL, numbers and booleans unquoted", () => {
    expect(toArrayLiteral([null, 42, -1, true, false])).toBe("{NULL,42,-1,true,false}");
    expect(toArrayLiteral([])).toBe("{}");
  });
});

describe("unnestRows", () => {
  it("sends a jsonb column as one JSON array of its texts, unescaped", () => {
    const sql = unnestRows(
      [
        { id: "a", raw: '{"k":"v"}' },
        { id: "b", raw: "null" },
      ],
      [
        ["id", "text", (r) => r.id],
        ["raw", "jsonb", (r) => r.raw],
      ],
    );
    expect(sql.text).toBe("ROWS FROM (unnest($1::text[]),jsonb_array_elements($2::jsonb)) AS u(id, raw)");
    expect(sql.values).toEqual(['{"a","b"}', '[{"k":"v"},null]']);
  });
});
