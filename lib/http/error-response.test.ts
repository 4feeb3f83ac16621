import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotAuthenticatedError,
  NotFoundError,
  RateLimitedError,
  TooLargeError,
  UnprocessableInputError,
  UnsupportedContentError,
} from "@/lib/errors/domain-errors.ts";
import { AppError } from "./app-error.ts";
import { routeErrorLog, toErrorResponse } from "./error-response.ts";
import { createJsonResponse } from "./json.ts";
import { parseQuery } from "./parse-input.ts";
import { handlePublicRoute } from "./route-handler.ts";

// Unit files share their worker's modules (vitest.config.ts), so the test watches the route logger itself rather than
// mocking the logger module, which a file that imported it first would already hold.
let logged: { error: MockInstance };
beforeEach(() => {
  logged = { error: vi.spyOn(routeErrorLog, "error").mockImplementation(() => {}) };
});
afterEach(() => vi.restoreAllMocks());

describe("toErrorResponse", () => {
  it("maps an AppError to its status and the envelope", async () => {
    const response = toErrorResponse(new AppError(404, "device_not_found", "No device", { deviceId: "x" }));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ error: { code: "device_not_found", message: "No device", details: { deviceId: "x" } } });
  });

  it("maps each kind of domain error to its status, with the same envelope", async () => {
    const cases = [
      [new InvalidInputError("invalid_window", "to must be after from"), 400],
      [new NotAuthenticatedError("invalid_token", "unknown token"), 401],
      [new ForbiddenError("probe_target_not_allowed", "not that host"), 403],
      [new NotFoundError("alert_rule_not_found", "No alert rule r1.", { id: "r1" }), 404],
      [new ConflictError("user_exists", "taken"), 409],
      [new TooLargeError("payload_too_large", "too big"), 413],
      [new UnsupportedContentError("not_a_text_file", "binary"), 415],
      [new UnprocessableInputError("format_mismatch", "reads nothing"), 422],
      [new RateLimitedError("rate_limited", "Slow down", 7), 429],
    ] as const;
    for (const [error, status] of cases) {
      const response = toErrorResponse(error);
      expect(response.status, error.code).toBe(status);
      expect((await response.json()).error).toMatchObject({ code: error.code, message: error.message });
    }
    expect(await toErrorResponse(new NotFoundError("alert_rule_not_found", "No alert rule r1.", { id: "r1" })).json()).toEqual({
      error: { code: "alert_rule_not_found", message: "No alert rule r1.", details: { id: "r1" } },
    });
    expect(toErrorResponse(new RateLimitedError("rate_limited", "Slow down", 7)).headers.get("retry-after")).toBe("7");
    expect(logged.error).not.toHaveBeenCalled();
  });

  it("tells rate-limited clients when to retry", () => {
    const response = toErrorResponse(new AppError(429, "rate_limited", "Slow down", { retryAfterSeconds: 42 }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(toErrorResponse(new AppError(429, "rate_limited", "Slow down")).headers.get("retry-after")).toBeNull();
  });

  it("omits details when there are none", async () => {
    expect(await toErrorResponse(new AppError(409, "conflict", "Busy")).json()).toEqual({ error: { code: "conflict", message: "Busy" } });
  });

  it("maps a ZodError to 400 with one readable message and the issues", async () => {
    const error = z.object({ limit: z.number() }).safeParse({ limit: "x" }).error;
    const response = toErrorResponse(error);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(/^limit: /);
    expect(body.error.details).toEqual([{ path: "limit", message: expect.any(String) }]);
  });

  it("logs unknown errors and answers a generic 500 that leaks neither message nor stack", async () => {
    const error = new Error("password=hunter2 connection refused");
    const response = toErrorResponse(error, new Request("http://x/api/v1/devices"));
    expect(logged.error).toHaveBeenCalledWith({ err: error, method: "GET", path: "/api/v1/devices" }, "unhandled error in route handler");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("at ");
    expect(JSON.parse(text).error.code).toBe("internal_error");
  });
});

describe("handlePublicRoute and parseQuery", () => {
  const handler = handlePublicRoute(async (request: Request) => {
    const query = parseQuery(request, z.object({ limit: z.string().regex(/^\d+$/, "must be a number") }));
    return createJsonResponse({ limit: query.limit, id: 9007199254740993n, at: new Date(0) });
  });

  it("turns a bad query into the 400 envelope", async () => {
    const response = await handler(new Request("http://x/api?limit=abc"), undefined);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "invalid_query", message: "limit: must be a number", details: [{ path: "limit", message: "must be a number" }] },
    });
  });

  it("serializes bigint ids as strings and dates as ISO", async () => {
    const response = await handler(new Request("http://x/api?limit=5"), undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ limit: "5", id: "9007199254740993", at: "1970-01-01T00:00:00.000Z" });
  });
});
