import { createJsonResponse } from "@/lib/http/json.ts";

/** Firehose caps an answer's errorMessage at this many characters. */
const MAX_ERROR_MESSAGE_CHARS = 8192;

/**
 * Amazon Data Firehose's HTTP endpoint contract: every answer, success or failure, is JSON with the request's
 * `requestId` (its `X-Amz-Firehose-Request-Id`) and a `timestamp`; Firehose reads an answer without them as a 500 and
 * retries, and reads a 413 without them as retriable too. A failure's message goes in `errorMessage`, which Firehose
 * copies to its error bucket. Other callers' answers are left as they are.
 */
export async function addFirehoseReceipt(request: Request, response: Response): Promise<Response> {
  const requestId = request.headers.get("x-amz-firehose-request-id");
  if (requestId === null) return response;
  const body: unknown = await response.json().catch(() => null);
  const fields = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const errorMessage = readErrorMessage(fields.error);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return createJsonResponse(
    { ...fields, requestId, timestamp: Date.now(), ...(errorMessage === null ? {} : { errorMessage }) },
    { status: response.status, headers },
  );
}

function readErrorMessage(error: unknown): string | null {
  if (typeof error !== "object" || error === null || !("message" in error) || typeof error.message !== "string") return null;
  return error.message.slice(0, MAX_ERROR_MESSAGE_CHARS);
}
