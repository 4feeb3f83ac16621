import type { Db } from "@/lib/db/client.ts";
import { getProbeEndpoint, listProbeEndpoints } from "./probe-endpoints.ts";
import { getEndpointTimeline, listEndpointHealth } from "./probe-timeline.ts";
import type { TimelineRange } from "./shape-probe-timeline.ts";

/** Every endpoint with its availability over 24 h / 7 d and its newest run: the /endpoints list. */
export async function listEndpointOverview(db: Db, now: Date) {
  const [endpoints, health] = await Promise.all([listProbeEndpoints(db), listEndpointHealth(db, now)]);
  return endpoints.map((endpoint) => ({ ...endpoint, health: health.get(endpoint.id) ?? null }));
}
export type EndpointOverview = Awaited<ReturnType<typeof listEndpointOverview>>[number];

/** One endpoint and its timeline over `range`, or null. */
export async function getEndpointDetail(db: Db, id: string, input: { now: Date; range: TimelineRange }) {
  const endpoint = await getProbeEndpoint(db, id);
  if (!endpoint) return null;
  return { endpoint, timeline: await getEndpointTimeline(db, endpoint.id, input) };
}
