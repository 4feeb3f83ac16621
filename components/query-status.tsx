"use client";

import { formatDuration, formatTimestamp } from "./format.ts";

/** The parts of a TanStack query result this needs (useQuery and useInfiniteQuery both fit). */
export type QueryOutcome = { error: Error | null; isError: boolean; data: unknown; dataUpdatedAt: number; isFetching?: boolean };

/** True when the panel shows data that a later fetch failed to refresh. */
export function isStale(query: QueryOutcome): boolean {
  return query.isError && query.data !== undefined;
}

/**
 * What a panel says when its query failed: nothing was loaded, or (a refetch failed) the data shown is from an
 * earlier fetch, and when that was. Every panel that refetches uses this, so stale data is never shown silently.
 */
export function QueryStatus({ query, what }: { query: QueryOutcome; what: string }) {
  if (!query.isError) return null;
  const message = query.error?.message ?? "unknown error";
  if (query.data === undefined) {
    return (
      <p className="notice notice-error" role="alert">
        Could not load the {what}: {message}
      </p>
    );
  }
  const updatedAt = query.dataUpdatedAt;
  return (
    <p className="notice notice-stale" role="status" data-testid="stale-notice">
      Could not refresh the {what} ({message}). Showing data last updated{" "}
      {updatedAt ? `${formatTimestamp(updatedAt)} (${formatDuration(Date.now() - updatedAt)} ago)` : "earlier"}
      {query.isFetching ? "; retrying…" : "; it will be retried."}
    </p>
  );
}
