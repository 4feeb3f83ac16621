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

describe("CsvRecordReader on hostile uploads", () => {
  // A row's fields were all kept however many: one line of 50 million commas took 1.4 GB, a 2 GB one ran the server
  // out of memory. Past a record's size they are only counted.
  it("counts the fields of a row of 50 million commas without keeping them", { timeout: 30_000 }, () => {
    const reader = new CsvRecordReader();
    const commas = ",".repeat(64 * 1024);
    const out = [...reader.push("a,b\n")];
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 800; i += 1) out.push(...reader.push(commas));
    const growth = process.memoryUsage().heapUsed - before;
    out.push(...reader.push("\n"), ...reader.end());
    expect(out.map((record) => (record.ok ? "ok" : record.error))).toEqual([`CSV row has ${800 * 64 * 1024 + 1} fields, the header has 2`]);
    expect(growth).toBeLessThan(100 * 1024 * 1024);
  });

  it("refuses a row too long to be one record, naming its length", () => {
    const field = "x".repeat(60_000);
    expect(read(`a,b,c,d,e\n${[field, field, field, field, field].join(",")}\n`, 4096)).toEqual([
      "ERR CSV row longer than 262144 characters",
    ]);
  });
});
