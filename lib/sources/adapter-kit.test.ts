import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, MAX_JSON_KEYS, parseUntrustedJson, readInstant } from "./adapter-kit.ts";
import { parseEmqxMessage } from "./emqx.ts";

describe("parseUntrustedJson", () => {
  it("replaces JSON-escaped lone surrogates, which Postgres refuses in jsonb, and keeps real pairs", () => {
    const parsed = parseUntrustedJson('{"clientid":"a\\ud800b","note":"\\udc00","emoji":"\\ud83d\\ude00","\\ud801key":1}');
    expect(parsed).toMatchObject({ ok: true, value: { clientid: "a\uFFFDb", note: "\uFFFD", emoji: "😀", "\uFFFDkey": 1 } });
    if (!parsed.ok) throw new Error("expected ok");
    expect(parsed.text).not.toMatch(/\\ud8|\\udc/i);
    expect(JSON.parse(parsed.text)).toEqual(parsed.value);
  });

  it("refuses documents nested deeper than the limit, before anything recursive touches them", () => {
    const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
    expect(parseUntrustedJson(deep)).toEqual({ ok: false, error: `payload is nested deeper than ${MAX_JSON_DEPTH} levels` });
    const justDeepEnough = `${"[".repeat(MAX_JSON_DEPTH)}1${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(parseUntrustedJson(justDeepEnough).ok).toBe(true);
    // Brackets inside strings are text, not nesting.
    expect(parseUntrustedJson(JSON.stringify({ s: "[".repeat(5000) })).ok).toBe(true);
  });

  it("refuses documents with more keys than the limit", () => {
    const many = `{${Array.from({ length: MAX_JSON_KEYS + 1 }, (_, i) => `"k${i}":0`).join(",")}}`;
    expect(parseUntrustedJson(many, { maxBytes: 10_000_000 })).toEqual({ ok: false, error: `payload has more than ${MAX_JSON_KEYS} keys` });
  });

  it("gives adapters clean events from a poisoned payload", () => {
    const payload = JSON.stringify({ clientid: "dev-1", username: "u", ts: 1764633600000, reason: "normal", extra: "x" }).replace(
      '"x"',
      '"\\ud800"',
    );
    const result = parseEmqxMessage("$SYS/brokers/emqx@127.0.0.1/clients/dev-1/disconnected", Buffer.from(payload));
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/\\ud800/i);
  });
});

describe("readInstant", () => {
  const at = new Date("2026-11-22T10:57:48.000Z");

  it("reads epoch seconds as seconds (numbers and digits), not as milliseconds in January 1970", () => {
    expect(readInstant(1795345068)).toEqual(at);
    expect(readInstant("1795345068")).toEqual(at);
    expect(readInstant(1795345068.25)).toEqual(new Date(at.getTime() + 250));
    expect(readInstant("1795345068.25")).toEqual(new Date(at.getTime() + 250));
  });

  it("reads epoch milliseconds and ISO 8601 as before", () => {
    expect(readInstant(1795345068000)).toEqual(at);
    expect(readInstant("1795345068000")).toEqual(at);
    expect(readInstant("2026-11-22T12:57:48+02:00")).toEqual(at);
    expect(readInstant("2026-11-22 10:57:48")).toEqual(at);
    expect(readInstant("2026-11-22T10:57:48.0000000Z")).toEqual(at);
  });

  it("still refuses what is not an instant", () => {
    for (const value of [-1, Number.NaN, 9e15, "soon", "12345", "", null, {}]) expect(readInstant(value), String(value)).toBeNull();
  });
});
