"use client";

import { useQuery } from "@tanstack/react-query";
import type { Drill, FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import { AttemptFunnelView, type FunnelStageData } from "./attempt-funnel-view.tsx";
import { FleetTablePanel } from "./fleet-panels.tsx";
import { fleetQueries } from "./queries/fleet.ts";

/** The fleet's connection attempts by the stage they reached; a failing stage opens the devices behind its top code. */
export function FleetFunnelPanel({ state, onDrill }: { state: FleetViewState; onDrill: (drill: Drill) => void }) {
  const query = useQuery(fleetQueries.funnel(state));
  const drillLink = (stage: FunnelStageData) => {
    const top = stage.topCodes[0];
    if (!top || !stage.failed) return null;
    return (
      <button type="button" className="attempt-funnel-link" onClick={() => onDrill({ by: "code", key: top.code ?? "" })}>
        Devices with {top.code ?? "no code"}
      </button>
    );
  };
  return (
    <FleetTablePanel
      id="attempt-funnel-heading"
      title="Connection attempts"
      note={<p className="muted">from the rollups by code; a stage opens the devices behind its top code</p>}
      query={query}
    >
      {query.data ? <AttemptFunnelView funnel={query.data} linkFor={drillLink} /> : null}
    </FleetTablePanel>
  );
}
