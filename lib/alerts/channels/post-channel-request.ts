import { isHttpUrl } from "../webhook-url.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";

/**
 * One POST of the JSON body; redirects are not followed (a receiver cannot bounce us elsewhere). The URL and headers
 * hold secrets: neither appears in the result. Retrying is the delivery job's business.
 */
export async function postChannelRequest(request: HttpChannelRequest, timeoutMs: number): Promise<ChannelSendResult> {
  if (!isHttpUrl(request.url)) return { delivered: false, retryable: false, httpStatus: null, response: null, error: "not an http(s) URL" };
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Linkscope-Alerts", ...request.headers },
      body: JSON.stringify(request.body),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    const { status } = response;
    if (status >= 200 && status < 300) return { delivered: true, retryable: false, httpStatus: status, response: null, error: null };
    return { delivered: false, retryable: status === 408 || status === 429 || status >= 500, httpStatus: status, response: null, error: `HTTP ${status}` };
  } catch (error) {
    return { delivered: false, retryable: true, httpStatus: null, response: null, error: describeFetchError(error, timeoutMs) };
  }
}

/** A short reason without the URL: undici's messages and causes may quote it. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return `network error (${cause.code})`;
  return "network error";
}
