import type { ZodError } from "zod";
import "./readable-zod-messages.ts";

/** One readable sentence per problem, e.g. `limit: must be a whole number between 1 and 500`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export function listZodIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}
