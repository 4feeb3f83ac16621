import { z } from "zod";

/** Devices listed per `change` message at most; beyond that `truncated` says "refresh every device view". */
export const MAX_CHANGED_DEVICES = 200;
/** What the browser waits before reconnecting after the stream dropped (the SSE `retry:` field). */
export const LIVE_RETRY_MS = 2000;

// Browser-safe (no Node, no Next): the server formats these, the LiveUpdatesProvider parses them.
export const LiveChangeSchema = z.object({
  latestEventId: z.string().nullable(),
  latestReceivedAt: z.string().nullable(),
  devices: z.array(z.string()),
  truncated: z.boolean(),
});
export type LiveChange = z.infer<typeof LiveChangeSchema>;

export const LiveStatusSchema = z.object({
  workerConnected: z.boolean(),
  lagMs: z.number().nullable(),
  heartbeatAgeMs: z.number().nullable(),
  lastEventAt: z.string().nullable(),
});
export type LiveStatus = z.infer<typeof LiveStatusSchema>;

export type LiveMessage = { event: "change"; data: LiveChange } | { event: "status"; data: LiveStatus };
