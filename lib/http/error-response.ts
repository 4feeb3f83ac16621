import { ZodError } from "zod";
import { DomainError, type DomainErrorKind } from "@/lib/errors/domain-errors.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** Exported so a test can watch what is logged without replacing the logger module for every file in its worker. */
export const routeErrorLog = createLogger("http");

export function createErrorResponse(status: number, code: string, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return createJsonResponse(body, { status });
}

/** The one place a domain refusal becomes an HTTP status. */
const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_authenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_content: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

export function statusOfDomainError(error: DomainError): number {
  return STATUS_BY_KIND[error.kind];
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
  if (error instanceof AppError || error instanceof DomainError) {
    const status = error instanceof AppError ? error.status : statusOfDomainError(error);
    const response = createErrorResponse(status, error.code, error.message, error.details);
    const retryAfter = readRetryAfterSeconds(error.details);
    if ((status === 429 || status === 503) && retryAfter !== null) response.headers.set("retry-after", String(retryAfter));
    return response;
  }
  if (error instanceof ZodError) {
    return createErrorResponse(400, "invalid_request", describeZodError(error), listZodIssues(error));
  }
  const path = request ? new URL(request.url).pathname : undefined;
  routeErrorLog.error({ err: error, method: request?.method, path }, "unhandled error in route handler");
  return createErrorResponse(500, "internal_error", "Something went wrong on our side. The error has been logged.");
}
