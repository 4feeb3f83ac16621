import type { z } from "zod";
import { AppError } from "@/lib/http/app-error.ts";
import { describeZodError, listZodIssues } from "@/lib/http/error-response.ts";

/**
 * Parses the query string with `schema`. Repeated keys keep the last value; list-valued parameters
 * are comma-separated (`kind=disconnected,connect_failed`) so the schema sees plain strings.
 */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return parseInput(schema, params, "invalid_query");
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = "invalid_request"): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError(400, code, describeZodError(result.error), listZodIssues(result.error));
  return result.data;
}
