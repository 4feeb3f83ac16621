import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseInput } from "./parse-input.ts";

function messageFor(schema: z.ZodType, input: unknown): string {
  try {
    parseInput(schema, input);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the input to be refused");
}

describe("readable validation messages", () => {
  it.each([
    ["an empty required text", z.object({ url: z.string().min(1) }), { url: "" }, "url: must not be empty"],
    ["a text too long", z.object({ name: z.string().max(120) }), { name: "a".repeat(10_000) }, "name: must be at most 120 characters"],
    ["a missing field", z.object({ name: z.string() }), {}, "name: is required"],
    ["text for a number", z.object({ days: z.number() }), { days: "5" }, "days: must be a number"],
    ["a fraction for a whole number", z.object({ days: z.number().int() }), { days: 1.5 }, "days: must be a whole number"],
    ["a number past the safe range", z.object({ days: z.number().int().max(3650) }), { days: 1e308 }, "days: is far too large"],
    ["a negative number", z.object({ days: z.number().int().min(1) }), { days: -1 }, "days: must be at least 1"],
    ["a value outside an enum", z.object({ role: z.enum(["viewer", "admin"]) }), { role: "root" }, "role: must be one of viewer, admin"],
    ["a bad email", z.object({ email: z.email() }), { email: "x" }, "email: must be an email address"],
    ["an unknown field", z.strictObject({ a: z.string() }), { a: "x", b: 1 }, "has unknown field b"],
  ])("words %s for people", (_case, schema, input, expected) => {
    const message = messageFor(schema, input);
    expect(message).toContain(expected);
    expect(message).not.toMatch(/Too small|Too big|Invalid input|expected \w+, received|9007199254740991/);
  });

  it("keeps a schema's own message", () => {
    expect(messageFor(z.object({ name: z.string().min(1, "give the rule a name") }), { name: "" })).toBe("name: give the rule a name");
  });
});
