import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { findNulCharacter, parseInput } from "./parse-input.ts";

describe("parseInput", () => {
  it("refuses U+0000 anywhere in the input as invalid input naming where, before Postgres can fail on it", () => {
    const schema = z.object({ q: z.string(), tags: z.array(z.string()) });
    const refused = (() => {
      try {
        parseInput(schema, { q: "ok", tags: ["x", "a\u0000b"] }, "invalid_query");
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused).toMatchObject({
      kind: "invalid",
      code: "invalid_query",
      message: expect.stringContaining("tags.1: must not contain the NUL character"),
    });
    expect(parseInput(schema, { q: "ok", tags: ["x"] })).toEqual({ q: "ok", tags: ["x"] });
  });

  it("finds NUL in keys and nested values, and nothing in clean input", () => {
    expect(findNulCharacter({ a: { "b\u0000": 1 } })).toBe("a.b\u0000");
    expect(findNulCharacter("\u0000")).toBe("");
    expect(findNulCharacter({ a: [1, null, "text"] })).toBeNull();
  });
});
