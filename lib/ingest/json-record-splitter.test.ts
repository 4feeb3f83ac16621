import { describe, expect, it } from "vitest";
import { JsonRecordSplitter } from "./json-record-splitter.ts";

function split(text: string, chunk = 7): string[] {
  const splitter = new JsonRecordSplitter();
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...splitter.push(text.slice(i, i + chunk)));
  out.push(...splitter.end());
  return out.map((r) => (r.ok ? r.text : `ERR ${r.error}: ${r.text}`));
}

describe("JsonRecordSplitter with a line cut short in the middle of the input", () => {
  it("reports the cut line and reads the lines after it (NDJSON cut inside a number or inside a string)", () => {
    expect(split('{"a":1}\n{"b":2,"c":3\n{"d":4}\n{"e":"fi\n{"f":5}\n')).toEqual([
      '{"a":1}',
      'ERR JSON value cut short: the next value began before it closed: {"b":2,"c":3\n',
      '{"d":4}',
      'ERR JSON value cut short: a line ended inside a string: {"e":"fi',
      '{"f":5}',
    ]);
  });

  it("does the same inside an array and an events wrapper, and still reads pretty-printed values and nesting", () => {
    expect(split('[{"a":1}, {"b":\n2 {"c":3}]')).toEqual([
      '{"a":1}',
      'ERR JSON value cut short: the next value began before it closed: {"b":\n2 ',
      '{"c":3}',
    ]);
    expect(split('{\n  "events": [\n    {"m": "x"},\n    {"m": \n      {"n": [1, {"o": [[2]]}]}\n    }\n  ]\n}')).toEqual([
      '{"m": "x"}',
      '{"m": \n      {"n": [1, {"o": [[2]]}]}\n    }',
    ]);
  });
});

describe("JsonRecordSplitter on hostile uploads", () => {
  const heapGrowth = (run: () => void) => {
    const before = process.memoryUsage().heapUsed;
    run();
    return process.memoryUsage().heapUsed - before;
  };

  // Whitespace after stray text was kept without bound, one character at a time: 80 MB of spaces after a stray word
  // took 3 GB and 20 s, and a 2 GB upload ran the server out of memory. Past the bound nothing more can show.
  it("keeps stray text bounded however much whitespace follows it", { timeout: 30_000 }, () => {
    const splitter = new JsonRecordSplitter();
    const spaces = " ".repeat(64 * 1024);
    const out = [...splitter.push("oops")];
    const growth = heapGrowth(() => {
      for (let i = 0; i < 800; i += 1) out.push(...splitter.push(spaces));
    });
    out.push(...splitter.push("\n"), ...splitter.end());
    expect(out).toEqual([{ ok: false, error: "text outside a JSON value", text: "oops" }]);
    expect(growth).toBeLessThan(100 * 1024 * 1024);
  });

  // Every array opened at the second level tested the record so far for a `{ "records": [` head, and read its last
  // character back from the growing string: quadratic in the record, minutes for this one. Only its first array can
  // be a head, and the last character is kept as the record grows.
  it("reads a huge record with many arrays in one pass", { timeout: 30_000 }, () => {
    const text = `{${" ".repeat(200_000)}"a":[${"],[".repeat(600_000)}]}`;
    const splitter = new JsonRecordSplitter();
    const out = [];
    for (let i = 0; i < text.length; i += 64 * 1024) out.push(...splitter.push(text.slice(i, i + 64 * 1024)));
    out.push(...splitter.end());
    expect(out.map((record) => (record.ok ? "ok" : record.error))).toEqual([
      `JSON record too large: ${text.length} characters (limit 262144)`,
    ]);
  });
});
