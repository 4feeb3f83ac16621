import type { z } from "zod";
import { parseInput } from "@/lib/validation/parse-input.ts";

/**
 * Parses the query string with `schema`. Repeated keys keep the last value; list-valued parameters
 * are comma-separated (`kind=disconnected,connect_failed`) so the schema sees plain strings.
 */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return parseInput(schema, params, "invalid_query");
}
