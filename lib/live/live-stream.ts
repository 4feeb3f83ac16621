import type { LiveHub } from "./live-hub.ts";
import { LIVE_RETRY_MS } from "./live-messages.ts";
import { formatSseComment, formatSseEvent, formatSseRetry } from "./sse-format.ts";

/** Comment lines at this interval keep proxies and load balancers from closing an idle stream. */
export const LIVE_HEARTBEAT_MS = 15_000;

export type LiveStreamOptions = {
  heartbeatMs?: number;
  /** Asked at every heartbeat; the stream ends once it answers false (the caller signed out, was disabled, …). */
  stillAuthorized?: () => Promise<boolean>;
  /** Called once when the stream ends, whatever ended it. */
  onClose?: () => void;
};

/**
 * The `text/event-stream` response for one browser: subscribes to the hub, and unsubscribes when the
 * client goes away (request aborted or the body cancelled), so no timer or poll outlives its listeners.
 */
export function openLiveStream(hub: LiveHub, signal: AbortSignal, options: LiveStreamOptions = {}): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | null = null;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // Enqueue after close: the client is gone; the abort handler cleans up.
        }
      };
      send(formatSseRetry(LIVE_RETRY_MS));
      const unsubscribe = hub.subscribe((message) => send(formatSseEvent(message.event, message.data)));
      const { stillAuthorized } = options;
      let checking = false;
      const heartbeat = setInterval(() => {
        send(formatSseComment("heartbeat"));
        if (!stillAuthorized || checking) return;
        checking = true;
        void stillAuthorized()
          .catch(() => false)
          .then((authorized) => {
            checking = false;
            if (!authorized) cleanup?.();
          });
      }, options.heartbeatMs ?? LIVE_HEARTBEAT_MS);
      const close = () => {
        if (!cleanup) return;
        cleanup = null;
        signal.removeEventListener("abort", close);
        clearInterval(heartbeat);
        unsubscribe();
        options.onClose?.();
        try {
          controller.close();
        } catch {
          // Already closed or cancelled.
        }
      };
      cleanup = close;
      if (signal.aborted) close();
      else signal.addEventListener("abort", close);
    },
    cancel() {
      cleanup?.();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform keeps `next start`'s gzip (and proxies) from buffering the stream.
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
