/** Lag above this is shown as a warning in the header. */
export const LAG_WARNING_MS = 5000;

export type IngestSignal = {
  /** false when the health endpoint could not be reached at all. */
  reachable: boolean;
  /** null when unknown (the live stream does not report it). */
  db: boolean | null;
  workerConnected: boolean;
  lagMs: number | null;
  /** Age of the newest worker heartbeat; null when no worker ever reported. */
  heartbeatAgeMs: number | null;
  /** Heartbeats older than this mean the worker is gone (HEARTBEAT_STALE_AFTER_MS on the server). */
  staleAfterMs: number;
  /** Sources whose writes keep failing (from /api/health), oldest failure first; absent when unknown. */
  failingSources?: readonly { source: string; failingSinceMs: number }[];
};

export type IngestStatusView = { tone: "good" | "warn" | "bad" | "unknown"; text: string };

/** Pure: the header's one-line ingest status, worst condition first. */
export function describeIngestStatus(signal: IngestSignal | null, nowMs: number): IngestStatusView {
  if (!signal) return { tone: "unknown", text: "Checking ingest…" };
  if (!signal.reachable) return { tone: "bad", text: "Server unreachable" };
  if (signal.db === false) return { tone: "bad", text: "Database unreachable" };
  const failing = signal.failingSources?.[0];
  if (failing) {
    const others = (signal.failingSources?.length ?? 1) - 1;
    return {
      tone: "bad",
      text: `Ingest failing: ${failing.source}${others > 0 ? ` and ${others} more` : ""} since ${formatUtcTime(failing.failingSinceMs, nowMs)}`,
    };
  }
  if (signal.heartbeatAgeMs === null) return { tone: "warn", text: "Ingest worker not connected" };
  if (signal.heartbeatAgeMs >= signal.staleAfterMs) {
    return { tone: "bad", text: `Ingest worker offline since ${formatUtcTime(nowMs - signal.heartbeatAgeMs, nowMs)}` };
  }
  if (!signal.workerConnected) return { tone: "warn", text: "Ingest worker not connected to the broker" };
  if (signal.lagMs !== null && signal.lagMs > LAG_WARNING_MS) return { tone: "warn", text: `Ingest lag ${formatSeconds(signal.lagMs)}` };
  return { tone: "good", text: signal.lagMs !== null ? `Ingest live · lag ${formatSeconds(signal.lagMs)}` : "Ingest live" };
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** `14:02 UTC`, with the date in front when it is not today's. */
function formatUtcTime(ms: number, nowMs: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay = new Date(nowMs).toISOString().slice(0, 10) === iso.slice(0, 10);
  return `${sameDay ? "" : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}
