import { describe, expect, it } from "vitest";
import { z } from "zod";
import { API_ROUTES } from "@/lib/http/api-contract/registry.ts";

type Def = Record<string, unknown> & { type: string };

/** Every schema nested in `schema` (objects, arrays, unions, pipes, optionals, records, tuples), with its path. */
function* nestedSchemas(schema: z.ZodType, path = "", seen = new Set<unknown>()): Generator<{ path: string; def: Def }> {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  yield { path, def };
  const child = (value: unknown, at: string) => (isSchema(value) ? nestedSchemas(value, at, seen) : []);
  if (def.type === "object") {
    for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) yield* child(value, path ? `${path}.${key}` : key);
  }
  for (const key of ["innerType", "element", "in", "out", "left", "right", "keyType", "valueType", "rest"]) yield* child(def[key], path);
  for (const key of ["options", "items"]) {
    for (const value of (def[key] as unknown[] | undefined) ?? []) yield* child(value, path);
  }
}

function isSchema(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value;
}

describe("HTTP input schemas", () => {
  it("read times through TimestampParamSchema, never as zod dates: JSON and query strings carry no Date, and a coerced date accepts zone-less local times and answers 'expected date, received Date'", () => {
    const dateInputs = API_ROUTES.flatMap((route) =>
      (["params", "query", "body"] as const).flatMap((part) => {
        const schema = route[part];
        if (!schema || typeof schema === "string") return [];
        return [...nestedSchemas(schema)]
          .filter(({ def }) => def.type === "date")
          .map(({ path }) => `${route.method} ${route.path} ${part}.${path}`);
      }),
    );
    expect(dateInputs).toEqual([]);
  });

  it("finds a date however deeply it is nested (the walker itself)", () => {
    const schema = z.object({
      items: z.array(z.union([z.string(), z.object({ when: z.coerce.date().optional() })])),
      piped: z.string().pipe(z.coerce.date()),
    });
    const dates = [...nestedSchemas(schema)].filter(({ def }) => def.type === "date").map(({ path }) => path);
    expect(dates).toEqual(["items.when", "piped"]);
  });
});
