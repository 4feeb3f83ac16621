"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries, type AffectedDevicesResponse, type FleetBreakdownResponse } from "./queries/fleet.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { Drill, FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Change } from "@/lib/fleet/shape-fleet-series.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { DeviceLink, FleetTablePanel } from "./fleet-panels.tsx";
import { formatCount, formatPercent, formatTimestamp } from "./format.ts";
import { REASON_LABELS } from "./reason-style.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { Sparkline } from "./sparkline.tsx";
import { StateBadge } from "./state-badge.tsx";

/** "▲ +50 %", "▼ −20 %", "new" (none in the previous period), "±0". */
export function ChangeLabel({ change }: { change: Change }) {
  if (change.delta === 0) return <span className="change change-flat">±0</span>;
  if (change.ratio === null)
    return (
      <span className="change change-up" title="none in the previous period">
        new
      </span>
    );
  const up = change.delta > 0;
  return (
    <span className={`change ${up ? "change-up" : "change-down"}`} title={`previous period: ${formatCount(change.previous)}`}>
      {up ? "▲ +" : "▼ −"}
      {formatPercent(Math.abs(change.ratio))}
    </span>
  );
}

type BreakdownItem = FleetBreakdownResponse["items"][number];

function keyLabel(by: Drill["by"], key: string | null): string {
  if (by === "reason") return REASON_LABELS[key as Reason] ?? String(key);
  return key ?? "(no code)";
}

/** Disconnects and failed connects by reason or by code; a row opens the devices behind it. */
export function FleetBreakdownTable({
  state,
  by,
  onDrill,
}: {
  state: FleetViewState;
  by: Drill["by"];
  onDrill: (drill: Drill | null) => void;
}) {
  const { data, error, isPending } = useQuery(fleetQueries.breakdown(state, by));
  const title = by === "reason" ? "By reason" : "By code";
  if (error)
    return (
      <p className="error-text" role="alert">
        {error.message}
      </p>
    );
  if (isPending) return <p className="muted">Loading…</p>;
  const isSelected = (item: BreakdownItem) => state.drill?.by === by && state.drill.key === (item.key ?? "");
  const columns: DataTableColumn<BreakdownItem>[] = [
    {
      header: by === "reason" ? "Reason" : "Code",
      key: "key",
      cell: (item) => (
        <button
          type="button"
          className="button-link"
          aria-pressed={isSelected(item)}
          onClick={() => onDrill(isSelected(item) ? null : { by, key: item.key ?? "" })}
        >
          {by === "reason" ? <ReasonTag reason={item.key as Reason} /> : <code>{keyLabel(by, item.key)}</code>}
        </button>
      ),
    },
    { header: "Disconnects", numeric: true, cell: (item) => formatCount(item.disconnects) },
    { header: "Failed", numeric: true, cell: (item) => formatCount(item.failedConnects) },
    { header: "Share", numeric: true, className: "nowrap", cell: (item) => formatPercent(item.share) },
    { header: "Trend", cell: (item) => <Sparkline values={item.sparkline} label={`${keyLabel(by, item.key)} over the range`} /> },
    { header: "vs previous", numeric: true, cell: (item) => <ChangeLabel change={item.change} /> },
  ];
  return (
    <DataTable
      label={`Disconnects ${title.toLowerCase()}`}
      columns={columns}
      rows={data.items}
      rowKey={(item) => item.key ?? ""}
      rowClassName={(item) => (isSelected(item) ? "row-selected" : undefined)}
      emptyText="No disconnects or failed connects in this range."
    />
  );
}

function affectedColumns(range: AffectedDevicesResponse): DataTableColumn<AffectedDevicesResponse["devices"][number]>[] {
  return [
    { header: "Device", cell: (device) => <DeviceLink deviceId={device.deviceId} range={range} /> },
    { header: "State", cell: (device) => <StateBadge state={device.state} /> },
    { header: "Disconnects", numeric: true, cell: (device) => formatCount(device.disconnects) },
    { header: "Failed", numeric: true, cell: (device) => formatCount(device.failedConnects) },
    { header: "Last", className: "nowrap muted", cell: (device) => formatTimestamp(device.lastAt) },
  ];
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
          {data ? (
            <span className="muted">
              {formatCount(data.totalDevices)} device{data.totalDevices === 1 ? "" : "s"}
              {shown}
            </span>
          ) : null}
          <button type="button" className="button button-small" onClick={onClose}>
            Close
          </button>
        </div>
      }
      query={query}
    >
      {data ? (
        <DataTable
          label={`Devices with ${label}`}
          columns={affectedColumns(data)}
          rows={data.devices}
          rowKey={(device) => device.deviceId}
          emptyText="No device in this range and filter."
        />
      ) : null}
    </FleetTablePanel>
  );
}
