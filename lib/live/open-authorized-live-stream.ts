import { resolveActor, type AuthenticatedActor } from "@/lib/auth/principal.ts";
import type { Db } from "@/lib/db/client.ts";
import { RateLimitedError } from "@/lib/errors/domain-errors.ts";
import type { LiveHub } from "./live-hub.ts";
import { openLiveStream } from "./live-stream.ts";

/** Open streams one caller may hold on one web process: a browser holds one per tab. */
export const MAX_LIVE_STREAMS_PER_CALLER = 8;

const globalForStreams = globalThis as unknown as { linkscopeLiveStreams?: Map<string, number> };
const openStreams = (globalForStreams.linkscopeLiveStreams ??= new Map<string, number>());

/**
 * The live stream of an authorized caller. The caller was checked when the stream opened; it is checked again at
 * every heartbeat, so a session that signs out, expires, or whose user is disabled or changed stops receiving
 * (authorizing only at the start kept such streams open for as long as the browser stayed). Each caller holds at
 * most MAX_LIVE_STREAMS_PER_CALLER streams here (429 beyond): each one is a socket and a timer on this process.
 */
export function openAuthorizedLiveStream(
  db: Db,
  hub: LiveHub,
  request: Request,
  actor: AuthenticatedActor,
  options: { heartbeatMs?: number } = {},
): Response {
  const key = `${actor.type}:${actor.id}`;
  const open = openStreams.get(key) ?? 0;
  if (open >= MAX_LIVE_STREAMS_PER_CALLER) {
    throw new RateLimitedError("too_many_streams", `At most ${MAX_LIVE_STREAMS_PER_CALLER} live streams at once; close another tab.`, 30);
  }
  openStreams.set(key, open + 1);
  return openLiveStream(hub, request.signal, {
    ...options,
    stillAuthorized: async () => (await resolveActor(db, request.headers))?.id === actor.id,
    onClose: () => {
      const left = (openStreams.get(key) ?? 1) - 1;
      if (left > 0) openStreams.set(key, left);
      else openStreams.delete(key);
    },
  });
}
