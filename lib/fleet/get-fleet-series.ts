import type { Db } from "@/lib/db/client.ts";
import type { FleetFilter } from "./fleet-filter.ts";
import { chooseInterval } from "./fleet-interval.ts";
import { listConnectedSeries } from "./list-connected-series.ts";
import { listDisconnectSeries } from "./list-disconnect-series.ts";
import type { ConnectedPoint, DisconnectSeries } from "./shape-fleet-series.ts";

export type FleetSeries = {
  from: Date;
  to: Date;
  stepMs: number;
  connected: ConnectedPoint[];
  disconnects: DisconnectSeries;
};

/** The fleet page's two charts over one automatically chosen interval (≤ 200 points). */
export async function getFleetSeries(db: Db, input: { from: Date; to: Date; filter: FleetFilter }): Promise<FleetSeries> {
  const stepMs = chooseInterval(input);
  const [connected, disconnects] = await Promise.all([
    listConnectedSeries(db, {
      ...input,
      stepMs,
      scope: { source: input.filter.source ?? null, brokerNode: input.filter.brokerNode ?? null },
    }),
    listDisconnectSeries(db, { ...input, stepMs }),
  ]);
  return { from: input.from, to: input.to, stepMs, connected, disconnects };
}
