"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { Health } from "@/lib/queries/summarize-health.ts";
import { formatDuration } from "./format.ts";

async function fetchHealth(): Promise<Jsonify<Health>> {
  // /api/health answers 503 with the same document when the database is down; show it rather than throw.
  const response = await fetch("/api/health", { headers: { accept: "application/json" } });
  return (await response.json()) as Jsonify<Health>;
}

export function IngestStatus() {
  const { data, isError } = useQuery({ queryKey: ["health"], queryFn: fetchHealth, refetchInterval: 10_000 });
  let tone = "unknown";
  let text = "Checking ingest…";
  if (isError) {
    tone = "bad";
    text = "Server unreachable";
  } else if (data && !data.db) {
    tone = "bad";
    text = "Database unreachable";
  } else if (data && !data.worker.connected) {
    tone = "warn";
    text = "Ingest worker not connected";
  } else if (data) {
    tone = "good";
    text = data.worker.lagMs !== null ? `Ingest live · lag ${formatDuration(data.worker.lagMs)}` : "Ingest live";
  }
  return (
    <span className={`status-pill status-${tone}`} role="status">
      <span className="badge-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
