import { describe, expect, it } from "vitest";
import { MAX_RAW_BYTES } from "@/lib/events/connection-event.ts";
import { boundRaw } from "./bound-raw.ts";

/** What jsonb refuses in a JSON text: a \u0000 escape, or an escaped surrogate without its other half. */
function jsonbRefusal(json: string): string | null {
  const escapes = json.match(/\\(?:\\|u[0-9a-fA-F]{4})/g) ?? [];
  for (let i = 0; i < escapes.length; i++) {
    const escape = (escapes[i] as string).toLowerCase();
    if (escape === "\\u0000") return "\\u0000";
    if (/^\\ud[89ab]/.test(escape) && !/^\\ud[c-f]/.test(escapes[i + 1]?.toLowerCase() ?? "")) return "lone high surrogate";
  }
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(json) ? "lone surrogate" : null;
}

describe("boundRaw", () => {
  it("keeps a NUL as the text \\u0000 and a literal backslash-u0000 as it is", () => {
    const { raw } = boundRaw({ nul: "a\u0000b", literal: "C:\\u0000", both: "\\\u0000" }, []);
    expect(jsonbRefusal(raw)).toBeNull();
    expect(JSON.parse(raw)).toEqual({ nul: "a\\u0000b", literal: "C:\\u0000", both: "\\\\u0000" });
  });

  it("truncates a large payload without cutting a surrogate pair in half", () => {
    for (const pad of [0, 1]) {
      const { raw, flags } = boundRaw({ text: `${"x".repeat(pad)}${"😀".repeat(MAX_RAW_BYTES)}` }, []);
      expect(flags).toEqual(["raw_truncated"]);
      expect(jsonbRefusal(raw)).toBeNull();
    }
  });
});
