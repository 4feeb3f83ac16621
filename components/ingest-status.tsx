"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import { describeIngestStatus, type IngestSignal } from "@/lib/live/describe-ingest-status.ts";
import { HEARTBEAT_STALE_AFTER_MS, type Health } from "@/lib/queries/summarize-health.ts";
import { useLiveUpdates } from "./live-updates-provider.tsx";

async function fetchHealth(): Promise<Jsonify<Health>> {
  // /api/health answers 503 with the same document when the database is down; show it rather than throw.
  const response = await fetch("/api/health", { headers: { accept: "application/json" } });
  return (await response.json()) as Jsonify<Health>;
}

/** Header pill: ingest state and lag, from the live stream's `status` events, or /api/health while it is down. */
export function IngestStatus() {
  const live = useLiveUpdates();
  const streamStatus = live.connected ? live.status : null;
  const { data, isError, dataUpdatedAt } = useQuery({
    queryKey: ["health"],
    queryFn: fetchHealth,
    refetchInterval: streamStatus ? 60_000 : 10_000,
  });
  let signal: IngestSignal | null = null;
  if (streamStatus) {
    const { workerConnected, lagMs, heartbeatAgeMs, receivedAt } = streamStatus;
    const age = heartbeatAgeMs === null ? null : heartbeatAgeMs + (Date.now() - receivedAt);
    signal = { reachable: true, db: data?.db ?? null, workerConnected, lagMs, heartbeatAgeMs: age, staleAfterMs: HEARTBEAT_STALE_AFTER_MS };
  } else if (isError) {
    signal = {
      reachable: false,
      db: null,
      workerConnected: false,
      lagMs: null,
      heartbeatAgeMs: null,
      staleAfterMs: HEARTBEAT_STALE_AFTER_MS,
    };
  } else if (data) {
    const heartbeatAt = data.worker.heartbeatAt ? Date.parse(data.worker.heartbeatAt) : null;
    signal = {
      reachable: true,
      db: data.db,
      workerConnected: data.worker.connected,
      lagMs: data.worker.lagMs,
      // The server judged freshness with its own clock; only an old heartbeat needs an age (for "offline since").
      heartbeatAgeMs: heartbeatAt === null ? null : data.worker.connected ? 0 : Math.max(0, dataUpdatedAt - heartbeatAt),
      staleAfterMs: HEARTBEAT_STALE_AFTER_MS,
    };
  }
  if (signal && data?.sources) {
    signal.failingSources = data.sources
      .filter((source) => source.status === "failing" && source.failingSince !== null)
      .map((source) => ({ source: source.source, failingSinceMs: Date.parse(source.failingSince ?? "") }))
      .sort((a, b) => a.failingSinceMs - b.failingSinceMs);
  }
  const view = describeIngestStatus(signal, Date.now());
  return (
    <span className={`status-pill status-${view.tone}`} role="status" data-live-stream={live.connected ? "open" : "closed"}>
      <span className="badge-dot" aria-hidden="true" />
      {view.text}
    </span>
  );
}
