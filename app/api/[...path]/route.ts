import { isPublicApiPath } from "@/lib/auth/public-paths.ts";
import { createErrorResponse } from "@/lib/http/error-response.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

function describeUnknownRoute(request: Request): Response {
  const path = new URL(request.url).pathname;
  const hint = path.startsWith("/api/v1/devices/")
    ? " Device IDs that contain '/' must be URL-encoded (%2F), e.g. with encodeURIComponent."
    : "";
  return createErrorResponse(404, "not_found", `No API route matches ${request.method} ${path}.${hint}`);
}

// Like every other API path, an unknown one needs a signed-in caller (401 otherwise), so anonymous callers
// cannot map which routes exist; under the public prefixes (ingest, share) there is no sign-in to ask for.
const answerSignedIn = handleRoute(async (request) => describeUnknownRoute(request));

function answerUnknownRoute(request: Request): Promise<Response> | Response {
  return isPublicApiPath(new URL(request.url).pathname) ? describeUnknownRoute(request) : answerSignedIn(request, undefined);
}

export const GET = answerUnknownRoute;
export const POST = answerUnknownRoute;
export const PUT = answerUnknownRoute;
export const PATCH = answerUnknownRoute;
export const DELETE = answerUnknownRoute;
