"use client";

import { useQueryClient } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { z } from "zod";
import { computeReconnectDelay, createCoalescer } from "@/lib/live/live-coalescer.ts";
import { LiveChangeSchema, LiveStatusSchema, type LiveStatus } from "@/lib/live/live-messages.ts";
import {
  addChange,
  createPendingChanges,
  everythingChanged,
  isAffectedByChanges,
  isOlderThanSnapshot,
  type PendingChanges,
} from "@/lib/live/live-query-selection.ts";

/** Live queries refetch at most this often during a burst; the first change after a quiet period at once. */
export const LIVE_REFRESH_MIN_INTERVAL_MS = 1000;
/** While the stream is down, live queries fall back to refetching at this interval. */
const FALLBACK_REFRESH_MS = 5000;

type ChangeListener = (changes: PendingChanges) => void;
type LiveUpdates = {
  /** True while the event stream is open. */
  connected: boolean;
  /** The ingest worker's state from the stream, and when it arrived; null while the stream is down (poll /api/health then). */
  status: (LiveStatus & { receivedAt: number }) | null;
  /** Called with each coalesced batch of changes (for views that are not queries, e.g. router.refresh()). */
  subscribe(listener: ChangeListener): () => void;
};

/** A message's JSON data checked against its schema; null (ignored) for anything else. */
function parseMessage<T>(schema: z.ZodType<T>, event: Event): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse((event as MessageEvent<string>).data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const LiveUpdatesContext = createContext<LiveUpdates>({ connected: false, status: null, subscribe: () => () => {} });

export function useLiveUpdates(): LiveUpdates {
  return useContext(LiveUpdatesContext);
}

/**
 * The one EventSource of the page (GET /api/v1/live). Implements the live-update contract: on new events it
 * invalidates active queries with `meta.live === "fleet"`, and those with `meta.live === "device"` whose
 * device got events. Pauses while the tab is hidden; after a gap (hidden tab, reconnect) it refreshes what
 * may have missed events. Share pages and sign-in never open the stream.
 */
export function LiveUpdatesProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const pathname = usePathname();
  const active = enabled && !pathname.startsWith("/share/") && !pathname.startsWith("/signin");
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [status, setStatus] = useState<LiveUpdates["status"]>(null);
  const listeners = useRef(new Set<ChangeListener>());
  const subscribe = useCallback((listener: ChangeListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ connected, status, subscribe }), [connected, status, subscribe]);

  useEffect(() => {
    if (!active) return;
    let pending = createPendingChanges();
    let source: EventSource | null = null;
    let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
    let fallbackTimer: ReturnType<typeof setInterval> | null = null;
    let attempt = 0;
    let lastEventId: string | null = null;

    const flush = () => {
      const changes = pending;
      pending = createPendingChanges();
      if (!changes.any) return;
      void queryClient.invalidateQueries({ predicate: (query) => isAffectedByChanges(query.meta, changes) });
      for (const listener of listeners.current) listener(changes);
    };
    const coalescer = createCoalescer(flush, LIVE_REFRESH_MIN_INTERVAL_MS);
    const note = (next: PendingChanges) => {
      pending = next;
      coalescer.trigger();
    };
    const startFallback = () => {
      fallbackTimer ??= setInterval(() => note(everythingChanged()), FALLBACK_REFRESH_MS);
    };
    const stopFallback = () => {
      if (fallbackTimer) clearInterval(fallbackTimer);
      fallbackTimer = null;
    };

    const connect = () => {
      reconnectTimer = null;
      const stream = new EventSource("/api/v1/live");
      source = stream;
      stream.addEventListener("open", () => {
        attempt = 0;
        setConnected(true);
        stopFallback();
      });
      stream.addEventListener("change", (event) => {
        const change = parseMessage(LiveChangeSchema, event);
        if (!change) return;
        const snapshot = change.devices.length === 0 && !change.truncated;
        if (snapshot && lastEventId === null) {
          // First message of this page: refresh only what was rendered before the newest event arrived.
          const latest = change.latestReceivedAt;
          void queryClient.invalidateQueries({ predicate: (query) => isOlderThanSnapshot(query.meta, query.state.dataUpdatedAt, latest) });
        } else if (snapshot) {
          // A reconnect: anything may have changed meanwhile if the newest event is not the one we knew.
          if (change.latestEventId !== lastEventId) note(everythingChanged());
        } else {
          note(addChange(pending, change));
        }
        lastEventId = change.latestEventId ?? lastEventId;
      });
      stream.addEventListener("status", (event) => {
        const liveStatus = parseMessage(LiveStatusSchema, event);
        if (liveStatus) setStatus({ ...liveStatus, receivedAt: Date.now() });
      });
      stream.addEventListener("error", () => {
        // Our own backoff rather than EventSource's fixed retry, and the same path for HTTP errors (401 after sign-out).
        stream.close();
        source = null;
        setConnected(false);
        setStatus(null);
        startFallback();
        reconnectTimer = setTimeout(connect, computeReconnectDelay(attempt));
        attempt += 1;
      });
    };

    const disconnect = () => {
      source?.close();
      source = null;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      stopFallback();
      coalescer.cancel();
      setConnected(false);
    };

    const onVisibilityChange = () => {
      if (document.visibilityState === "hidden") disconnect();
      else if (!source && !reconnectTimer) {
        attempt = 0;
        connect();
      }
    };

    if (document.visibilityState !== "hidden") connect();
    document.addEventListener("visibilitychange", onVisibilityChange);
    return () => {
      document.removeEventListener("visibilitychange", onVisibilityChange);
      disconnect();
      setStatus(null);
    };
  }, [active, queryClient]);

  return <LiveUpdatesContext.Provider value={value}>{children}</LiveUpdatesContext.Provider>;
}
