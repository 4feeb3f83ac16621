import { ZodError } from "zod";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { createLogger } from "@/lib/log/logger.ts";

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const log = createLogger("http");

export function createErrorResponse(status: number, code: string, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return createJsonResponse(body, { status });
}

/** One readable sentence per problem, e.g. `limit: must be a whole number between 1 and 500`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export function listZodIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

function readRetryAfterSeconds(details: unknown): number | null {
  if (typeof details !== "object" || details === null || !("retryAfterSeconds" in details)) return null;
  const value = details.retryAfterSeconds;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

/**
 * Maps any thrown value to the error envelope. Unknown errors are logged with the request context and
 * answered with a generic 500: stack traces and driver messages never reach the client.
 */
export function toErrorResponse(error: unknown, request?: Request): Response {
  if (error instanceof AppError) {
    const response = createErrorResponse(error.status, error.code, error.message, error.details);
    const retryAfter = readRetryAfterSeconds(error.details);
    if (error.status === 429 && retryAfter !== null) response.headers.set("retry-after", String(retryAfter));
    return response;
  }
  if (error instanceof ZodError) {
    return createErrorResponse(400, "invalid_request", describeZodError(error), listZodIssues(error));
  }
  const path = request ? new URL(request.url).pathname : undefined;
  log.error({ err: error, method: request?.method, path }, "unhandled error in route handler");
  return createErrorResponse(500, "internal_error", "Something went wrong on our side. The error has been logged.");
}
