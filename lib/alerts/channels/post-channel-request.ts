import { OutboundRefusedError, OutboundTimeoutError, postJsonOutbound } from "@/lib/security/outbound-connect.ts";
import type { OutboundPolicy } from "@/lib/security/outbound-policy.ts";
import { isHttpUrl } from "../webhook-url.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import type { HttpChannelRequest } from "./http-channel-request.ts";

/**
 * One POST of the JSON body to an address the outbound policy allows; redirects are not followed (a receiver cannot
 * bounce us elsewhere). The URL and headers hold secrets: neither appears in the result. Retrying is the delivery
 * job's business.
 */
export async function postChannelRequest(
  request: HttpChannelRequest,
  options: { timeoutMs: number; outbound: OutboundPolicy },
): Promise<ChannelSendResult> {
  if (!isHttpUrl(request.url)) return { delivered: false, retryable: false, httpStatus: null, response: null, error: "not an http(s) URL" };
  try {
    const { status } = await postJsonOutbound(request.url, {
      headers: { "content-type": "application/json", "user-agent": "Linkscope-Alerts", ...request.headers },
      body: request.body,
      timeoutMs: options.timeoutMs,
      policy: options.outbound,
    });
    if (status >= 200 && status < 300) return { delivered: true, retryable: false, httpStatus: status, response: null, error: null };
    return {
      delivered: false,
      retryable: status === 408 || status === 429 || status >= 500,
      httpStatus: status,
      response: null,
      error: `HTTP ${status}`,
    };
  } catch (error) {
    if (error instanceof OutboundRefusedError)
      return { delivered: false, retryable: false, httpStatus: null, response: null, error: `refused: ${error.message}` };
    return { delivered: false, retryable: true, httpStatus: null, response: null, error: describeNetworkError(error) };
  }
}

/** A short reason without the URL: Node's messages may quote it. */
function describeNetworkError(error: unknown): string {
  if (error instanceof OutboundTimeoutError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? `network error (${code})` : "network error";
}
