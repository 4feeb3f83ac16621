import { sleep } from "@/lib/ingest/backoff.ts";
import { isHttpUrl } from "./webhook-url.ts";

export type WebhookDelivery = { delivered: boolean; httpStatus: number | null; attempts: number; error: string | null };
export type DeliveryOptions = { timeoutMs: number; attempts: number; backoffMs: number };
export type DeliverWebhook = (url: string, body: unknown, options?: Partial<DeliveryOptions>) => Promise<WebhookDelivery>;

export const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 5_000, attempts: 3, backoffMs: 1_000 };

/**
 * POSTs `body` as JSON; retries network errors, timeouts, 429 and 5xx with backoff (1 s, 2 s by default). Redirects
 * are not followed. The URL is a secret: it never appears in the returned error (nor in any log).
 */
export const deliverWebhook: DeliverWebhook = async (url, body, options = {}) => {
  const { timeoutMs, attempts, backoffMs } = { ...DEFAULT_DELIVERY, ...options };
  if (!isHttpUrl(url)) return { delivered: false, httpStatus: null, attempts: 0, error: "not an http(s) URL" };
  const text = JSON.stringify(body);
  let last: WebhookDelivery = { delivered: false, httpStatus: null, attempts: 0, error: null };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Linkscope-Alerts" },
        body: text,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { delivered: true, httpStatus: response.status, attempts: attempt, error: null };
      last = { delivered: false, httpStatus: response.status, attempts: attempt, error: `HTTP ${response.status}` };
      if (response.status !== 429 && response.status < 500) return last;
    } catch (error) {
      last = { delivered: false, httpStatus: null, attempts: attempt, error: describeFetchError(error, timeoutMs) };
    }
  }
  return last;
};

/** A short reason without the URL: undici's messages and causes may quote it. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return `network error (${cause.code})`;
  return "network error";
}
