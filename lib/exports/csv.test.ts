import { describe, expect, it } from "vitest";
import { formatCsvCell, formatCsvRow } from "./csv.ts";

describe("CSV cells", () => {
  it("defuses cells a spreadsheet would evaluate", () => {
    for (const text of ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(formatCsvCell(text)).toMatch(/^"?'/);
    expect(formatCsvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it("quotes commas, quotes and line breaks (RFC 4180) and leaves plain text and numbers alone", () => {
    expect(formatCsvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(formatCsvCell("sensor-01")).toBe("sensor-01");
    expect(formatCsvCell(-3)).toBe("-3");
    expect(formatCsvCell(null)).toBe("");
  });

  it("ends rows with CRLF", () => {
    expect(formatCsvRow(["a", 1, null])).toBe("a,1,\r\n");
  });
});
