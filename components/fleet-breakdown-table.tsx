"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries } from "./queries/fleet.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { Drill, FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Change } from "@/lib/fleet/shape-fleet-series.ts";
import { DeviceLink, FleetTablePanel } from "./fleet-panels.tsx";
import { formatCount, formatPercent, formatTimestamp } from "./format.ts";
import { REASON_LABELS } from "./reason-style.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { Sparkline } from "./sparkline.tsx";
import { StateBadge } from "./state-badge.tsx";

/** "▲ +50 %", "▼ −20 %", "new" (none in the previous period), "±0". */
export function ChangeLabel({ change }: { change: Change }) {
  if (change.delta === 0) return <span className="change change-flat">±0</span>;
  if (change.ratio === null) return <span className="change change-up" title="none in the previous period">new</span>;
  const up = change.delta > 0;
  return (
    <span className={`change ${up ? "change-up" : "change-down"}`} title={`previous period: ${formatCount(change.previous)}`}>
      {up ? "▲ +" : "▼ −"}
      {formatPercent(Math.abs(change.ratio))}
    </span>
  );
}

function keyLabel(by: Drill["by"], key: string | null): string {
  if (by === "reason") return REASON_LABELS[key as Reason] ?? String(key);
  return key ?? "(no code)";
}

/** Disconnects and failed connects by reason or by code; a row opens the devices behind it. */
export function FleetBreakdownTable({ state, by, onDrill }: { state: FleetViewState; by: Drill["by"]; onDrill: (drill: Drill | null) => void }) {
  const { data, error, isPending } = useQuery(fleetQueries.breakdown(state, by));
  const title = by === "reason" ? "By reason" : "By code";
  if (error) return <p className="error-text" role="alert">{error.message}</p>;
  if (isPending) return <p className="muted">Loading…</p>;
  if (data.items.length === 0) return <p className="empty">No disconnects or failed connects in this range.</p>;
  return (
    <div className="table-wrap">
      <table aria-label={`Disconnects ${title.toLowerCase()}`}>
        <thead>
          <tr>
            <th scope="col">{by === "reason" ? "Reason" : "Code"}</th>
            <th scope="col" className="num">Disconnects</th>
            <th scope="col" className="num">Failed</th>
            <th scope="col" className="num">Share</th>
            <th scope="col">Trend</th>
            <th scope="col" className="num">vs previous</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((item) => {
            const key = item.key ?? "";
            const selected = state.drill?.by === by && state.drill.key === key;
            return (
              <tr key={key} className={selected ? "row-selected" : undefined}>
                <td>
                  <button type="button" className="button-link" aria-pressed={selected} onClick={() => onDrill(selected ? null : { by, key })}>
                    {by === "reason" ? <ReasonTag reason={item.key as Reason} /> : <code>{keyLabel(by, item.key)}</code>}
                  </button>
                </td>
                <td className="num">{formatCount(item.disconnects)}</td>
                <td className="num">{formatCount(item.failedConnects)}</td>
                <td className="num nowrap">{formatPercent(item.share)}</td>
                <td>
                  <Sparkline values={item.sparkline} label={`${keyLabel(by, item.key)} over the range`} />
                </td>
                <td className="num">
                  <ChangeLabel change={item.change} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The devices behind the selected reason or code, linking to their pages over the same range. */
export function AffectedDevicesPanel({ state, drill, onClose }: { state: FleetViewState; drill: Drill; onClose: () => void }) {
  const query = useQuery(fleetQueries.affectedDevices(state, drill));
  const { data } = query;
  const label = keyLabel(drill.by, drill.key === "" ? null : drill.key);
  const shown = data && data.totalDevices > data.devices.length ? `, the ${data.devices.length} most affected shown` : "";
  return (
    <FleetTablePanel
      id="affected-heading"
      title={`Devices with ${label}`}
      note={
        <div className="button-group">
          {data ? <span className="muted">{formatCount(data.totalDevices)} device{data.totalDevices === 1 ? "" : "s"}{shown}</span> : null}
          <button type="button" className="button button-small" onClick={onClose}>Close</button>
        </div>
      }
      query={query}
      isEmpty={data?.devices.length === 0}
      emptyText="No device in this range and filter."
    >
      {data ? (
        <table aria-label={`Devices with ${label}`}>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">State</th>
              <th scope="col" className="num">Disconnects</th>
              <th scope="col" className="num">Failed</th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((device) => (
              <tr key={device.deviceId}>
                <td>
                  <DeviceLink deviceId={device.deviceId} range={data} />
                </td>
                <td>
                  <StateBadge state={device.state} />
                </td>
                <td className="num">{formatCount(device.disconnects)}</td>
                <td className="num">{formatCount(device.failedConnects)}</td>
                <td className="nowrap muted">{formatTimestamp(device.lastAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </FleetTablePanel>
  );
}
