import type { LiveQueryMeta } from "@/lib/live/live-query-selection.ts";

/**
 * The one spelling of query meta: a query that follows new events says `meta: liveFleetMeta` or
 * `meta: liveDeviceMeta(id)`; anything else fails the type check.
 */
declare module "@tanstack/react-query" {
  interface Register {
    queryMeta: LiveQueryMeta;
  }
}
