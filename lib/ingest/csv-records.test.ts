import { describe, expect, it } from "vitest";
import { CsvRecordReader } from "./csv-records.ts";

function read(text: string, chunk = 3) {
  const reader = new CsvRecordReader();
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...reader.push(text.slice(i, i + chunk)));
  out.push(...reader.end());
  return out.map((r) => (r.ok ? JSON.parse(r.text) : `ERR ${r.error}`));
}

describe("CsvRecordReader", () => {
  it("reads quoted fields with commas, doubled quotes and newlines across chunk borders; strips BOM and [UTC]", () => {
    const text = '\uFEFFTimeGenerated [UTC],properties_s\r\n"12/17/2018, 6:11:25.000 PM","{""deviceId"":""a,b""}"\r\n2,"line1\nline2"\n';
    expect(read(text)).toEqual([
      { TimeGenerated: "12/17/2018, 6:11:25.000 PM", properties_s: '{"deviceId":"a,b"}' },
      { TimeGenerated: "2", properties_s: "line1\nline2" },
    ]);
  });

  it("reports rows with the wrong field count and truncated quotes; ignores prototype-pollution column names", () => {
    expect(read("a,b\n1\n")).toEqual(["ERR CSV row has 1 fields, the header has 2"]);
    expect(read('a,b\n"open')).toEqual(["ERR CSV ended inside a quoted field (truncated)"]);
    const [row] = read("__proto__,x\n1,2\n");
    expect(Object.keys(row as object)).toEqual(["x"]);
  });
});
