"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries } from "./queries/fleet.ts";
import { useUrlState } from "./use-url-state.ts";
import { QueryStatus } from "./query-status.tsx";
import { useState, type FormEvent } from "react";
import { fromUtcInput, toUtcInput } from "@/lib/time/utc-input.ts";
import {
  DEFAULT_PRESET,
  FILTER_KEYS,
  RANGE_PRESETS,
  parseFleetViewState,
  toSearchParams,
  type Drill,
  type FilterKey,
  type FleetViewState,
  type RangePreset,
} from "@/lib/fleet/fleet-view-state.ts";
import { ConnectedDevicesChart, DisconnectsByReasonChart } from "./fleet-charts.tsx";
import { AffectedDevicesPanel, FleetBreakdownTable } from "./fleet-breakdown-table.tsx";
import { FleetCohorts } from "./fleet-cohorts.tsx";
import { FleetFunnelPanel } from "./fleet-funnel-panel.tsx";
import { FlappingDevicesPanel, NewCodesPanel, OfflineDevicesPanel } from "./fleet-panels.tsx";
import { formatDuration, formatTimestamp } from "./format.ts";

const FILTER_LABELS: Record<FilterKey, string> = {
  source: "Source",
  node: "Broker node",
  firmware: "Firmware",
  region: "Region",
  network: "Network",
  label: "Label",
};

/** The /fleet page: range, filters and drill-down live in the URL, so a link or a reload shows the same view. */
export function FleetExplorer() {
  const [state, setUrlState] = useUrlState(parseFleetViewState, toSearchParams);
  // Changes apply to the address as it is when written: two steps before the router renders the first both stay.
  const navigate = (change: (current: FleetViewState) => FleetViewState) => setUrlState(change, "push");
  const setRange = (range: FleetViewState["range"]) => navigate((current) => ({ ...current, range }));
  const setDrill = (drill: Drill | null) => navigate((current) => ({ ...current, drill }));
  const series = useQuery(fleetQueries.series(state));
  const zoom = (from: string, to: string) => setRange({ from, to });

  if (state.rangeProblem) {
    return (
      <>
        <RangeBar state={state} onChange={setRange} resolved={null} />
        <div className="panel range-problem" role="alert">
          <h2>This range cannot be shown</h2>
          <p>{state.rangeProblem}</p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => navigate((current) => ({ ...current, range: { preset: DEFAULT_PRESET }, rangeProblem: null }))}
          >
            Reset to the last 24 h
          </button>
        </div>
      </>
    );
  }

  const chartPlaceholder = series.error ? "Could not load this chart." : "Loading…";
  return (
    <>
      <RangeBar
        state={state}
        onChange={setRange}
        resolved={series.data ? { from: series.data.from, to: series.data.to, stepMs: series.data.stepMs } : null}
      />
      <FilterBar state={state} onChange={(change) => navigate((current) => ({ ...current, filters: change(current.filters) }))} />
      <QueryStatus query={series} what="fleet charts" />

      <div className="fleet-grid">
        <section className="panel" aria-labelledby="connected-heading">
          <div className="panel-header">
            <h2 id="connected-heading">Connected devices</h2>
            <p className="muted">
              {state.filters.firmware || state.filters.region || state.filters.network || state.filters.label
                ? "source and node filters apply; device metadata filters do not"
                : "gauge kept at ingest; drag across a chart to zoom"}
            </p>
          </div>
          {series.data ? (
            <ConnectedDevicesChart series={series.data} onZoom={zoom} />
          ) : (
            <div className="chart-empty">{chartPlaceholder}</div>
          )}
        </section>
        <section className="panel" aria-labelledby="disconnects-heading">
          <div className="panel-header">
            <h2 id="disconnects-heading">Disconnects by reason</h2>
            <p className="muted">{series.data ? `per ${formatDuration(series.data.stepMs)}` : ""}</p>
          </div>
          {series.data ? (
            <DisconnectsByReasonChart series={series.data} onZoom={zoom} />
          ) : (
            <div className="chart-empty">{chartPlaceholder}</div>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="by-reason-heading">
        <div className="panel-header">
          <h2 id="by-reason-heading">By reason</h2>
          <p className="muted">disconnects and failed connects; select a row for its devices</p>
        </div>
        <FleetBreakdownTable state={state} by="reason" onDrill={setDrill} />
      </section>
      <section className="panel" aria-labelledby="by-code-heading">
        <div className="panel-header">
          <h2 id="by-code-heading">By code</h2>
          <p className="muted">change against the previous period of the same length; select a row for its devices</p>
        </div>
        <FleetBreakdownTable state={state} by="code" onDrill={setDrill} />
      </section>
      {state.drill ? <AffectedDevicesPanel state={state} drill={state.drill} onClose={() => setDrill(null)} /> : null}
      <FleetFunnelPanel state={state} onDrill={setDrill} />

      <FlappingDevicesPanel state={state} />
      <OfflineDevicesPanel state={state} />
      <NewCodesPanel state={state} />
      <FleetCohorts state={state} />
    </>
  );
}

function RangeBar({
  state,
  onChange,
  resolved,
}: {
  state: FleetViewState;
  onChange: (range: FleetViewState["range"]) => void;
  resolved: { from: string; to: string; stepMs: number } | null;
}) {
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const current = "preset" in state.range ? null : state.range;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const from = String(form.get("from") ?? "");
    const to = String(form.get("to") ?? "");
    if (from && to) onChange({ from: fromUtcInput(from)!, to: fromUtcInput(to)! });
    setCustom(null);
  };
  const fallback = resolved ?? current;
  return (
    <div className="toolbar fleet-toolbar">
      <div className="button-group" role="group" aria-label="Time range">
        {(Object.keys(RANGE_PRESETS) as RangePreset[]).map((preset) => (
          <button
            key={preset}
            type="button"
            className="button button-small"
            aria-pressed={"preset" in state.range && state.range.preset === preset}
            onClick={() => onChange({ preset })}
          >
            {preset}
          </button>
        ))}
        <button
          type="button"
          className="button button-small"
          aria-pressed={current !== null}
          onClick={() => setCustom(fallback ? { from: fallback.from, to: fallback.to } : null)}
        >
          Custom…
        </button>
      </div>
      {custom ? (
        <form className="button-group" onSubmit={submit} aria-label="Custom range">
          <label>
            From (UTC) <input type="datetime-local" name="from" defaultValue={toUtcInput(custom.from)} required />
          </label>
          <label>
            To (UTC) <input type="datetime-local" name="to" defaultValue={toUtcInput(custom.to)} required />
          </label>
          <button type="submit" className="button button-small button-primary">
            Apply
          </button>
          <button type="button" className="button button-small" onClick={() => setCustom(null)}>
            Cancel
          </button>
        </form>
      ) : null}
      <span className="range-label" data-testid="fleet-range">
        {resolved
          ? `${formatTimestamp(resolved.from).slice(0, 16)} → ${formatTimestamp(resolved.to)} · per ${formatDuration(resolved.stepMs)}`
          : ""}
      </span>
    </div>
  );
}

type Filters = FleetViewState["filters"];

function FilterBar({ state, onChange }: { state: FleetViewState; onChange: (change: (filters: Filters) => Filters) => void }) {
  const { data: options } = useQuery(fleetQueries.filterOptions());
  const values: Record<FilterKey, string[]> = {
    source: options?.sources ?? [],
    node: options?.brokerNodes ?? [],
    firmware: options?.firmware ?? [],
    region: options?.regions ?? [],
    network: options?.networks ?? [],
    label: options?.labels ?? [],
  };
  const active = FILTER_KEYS.some((key) => state.filters[key]);
  return (
    <div className="fleet-filters" role="group" aria-label="Filters">
      {FILTER_KEYS.map((key) => {
        const selected = state.filters[key] ?? "";
        // A value from a shared link stays selectable even before (or without) the options listing it.
        const list = selected && !values[key].includes(selected) ? [selected, ...values[key]] : values[key];
        return (
          <label key={key}>
            <span>{FILTER_LABELS[key]}</span>
            <select
              value={selected}
              onChange={(event) => {
                const value = event.target.value || undefined;
                onChange((filters) => ({ ...filters, [key]: value }));
              }}
            >
              <option value="">All</option>
              {list.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        );
      })}
      {active ? (
        <button type="button" className="button button-small" onClick={() => onChange(() => ({}))}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
