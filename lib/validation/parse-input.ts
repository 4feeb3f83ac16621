import type { z } from "zod";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";

/** Parses `input` with `schema`, or throws an InvalidInputError that lists every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = "invalid_request"): z.output<S> {
  const nulAt = findNulCharacter(input);
  if (nulAt !== null) {
    // Postgres text cannot hold U+0000: refused here with a readable message rather than failing in the database.
    const message = "must not contain the NUL character (%00, \\u0000)";
    throw new InvalidInputError(code, nulAt ? `${nulAt}: ${message}` : message, [{ path: nulAt, message }]);
  }
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(code, describeZodError(result.error), listZodIssues(result.error));
  return result.data;
}

const MAX_INSPECTED_DEPTH = 64;

/** Path ("a.b.0") of the first string, or object key, holding U+0000; null when there is none. */
export function findNulCharacter(input: unknown, path = "", depth = 0): string | null {
  if (typeof input === "string") return input.includes("\u0000") ? path : null;
  if (typeof input !== "object" || input === null || depth > MAX_INSPECTED_DEPTH) return null;
  for (const [key, value] of Object.entries(input)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) return at;
    const found = findNulCharacter(value, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
