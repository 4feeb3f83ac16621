import { createErrorResponse } from "@/lib/http/error-response.ts";

function answerUnknownRoute(request: Request): Response {
  const path = new URL(request.url).pathname;
  const hint = path.startsWith("/api/v1/devices/")
    ? " Device IDs that contain '/' must be URL-encoded (%2F), e.g. with encodeURIComponent."
    : "";
  return createErrorResponse(404, "not_found", `No API route matches ${request.method} ${path}.${hint}`);
}

export const GET = answerUnknownRoute;
export const POST = answerUnknownRoute;
export const PUT = answerUnknownRoute;
export const PATCH = answerUnknownRoute;
export const DELETE = answerUnknownRoute;
