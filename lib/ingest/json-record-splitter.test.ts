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
