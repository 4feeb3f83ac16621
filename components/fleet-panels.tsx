"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries, type FlappingResponse, type NewCodesResponse, type OfflineResponse } from "./queries/fleet.ts";
import Link from "next/link";
import type { ReactNode } from "react";
import type { FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";
import { isStale, QueryStatus, type QueryOutcome } from "./query-status.tsx";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";
import { DataTable, type DataTableColumn } from "./data-table.tsx";

/** A fleet panel around one query's table: heading and note, then the error, "Loading…" or the table (a DataTable, which says when it is empty). */
export function FleetTablePanel(props: {
  id: string;
  title: string;
  note?: ReactNode;
  query: QueryOutcome & { isPending: boolean };
  children: ReactNode;
}) {
  const { isPending } = props.query;
  return (
    <section className={isStale(props.query) ? "panel panel-stale" : "panel"} aria-labelledby={props.id}>
      <div className="panel-header">
        <h2 id={props.id}>{props.title}</h2>
        {props.note}
      </div>
      <QueryStatus query={props.query} what={props.title.toLowerCase()} />
      {props.query.data === undefined ? isPending ? <p className="muted">Loading…</p> : null : props.children}
    </section>
  );
}

/** A device's page link, over the given range when there is one. */
export function DeviceLink({ deviceId, range }: { deviceId: string; range?: { from: string; to: string } }) {
  return (
    <Link href={deviceHref(deviceId, range)} className="device-id">
      {deviceId}
    </Link>
  );
}

type OfflineDevice = OfflineResponse["devices"][number];
type NewCode = NewCodesResponse["codes"][number];

function flappingColumns(range: FlappingResponse): DataTableColumn<FlappingResponse["devices"][number]>[] {
  return [
    { header: "Device", cell: (device) => <DeviceLink deviceId={device.deviceId} range={range} /> },
    { header: "State", cell: (device) => <StateBadge state={device.state} /> },
    { header: "Drops", numeric: true, cell: (device) => formatCount(device.drops) },
    { header: "Per hour", numeric: true, cell: (device) => device.dropsPerHour.toFixed(device.dropsPerHour >= 10 ? 0 : 2) },
    { header: "Peak hour", numeric: true, cell: (device) => formatCount(device.peakHourDrops) },
    { header: "Top reason", cell: (device) => <ReasonTag reason={device.topReason} /> },
  ];
}

function offlineColumns(now: number): DataTableColumn<OfflineDevice>[] {
  return [
    { header: "Device", cell: (device) => <DeviceLink deviceId={device.deviceId} /> },
    {
      header: "Offline for",
      className: "nowrap",
      title: (device) => (device.offlineSince ? formatTimestamp(device.offlineSince) : undefined),
      cell: (device) => (device.offlineSince ? formatDuration(now - new Date(device.offlineSince).getTime()) : "—"),
    },
    { header: "Last reason", cell: (device) => <ReasonTag reason={device.lastReason} /> },
    { header: "Code", cell: (device) => (device.lastCode ? <code>{device.lastCode}</code> : <span className="muted">—</span>) },
  ];
}

const NEW_CODE_COLUMNS: DataTableColumn<NewCode>[] = [
  {
    header: "Code",
    cell: (code) => (
      <Link href={`/codes/${encodeURIComponent(code.code)}`}>
        <code>{code.code}</code>
      </Link>
    ),
  },
  { header: "Reason", cell: (code) => <ReasonTag reason={code.reason} /> },
  {
    header: "First seen",
    className: "nowrap muted",
    cell: (code) => (
      <>
        {formatTimestamp(code.firstSeenAt)} on <DeviceLink deviceId={code.firstDeviceId} />
      </>
    ),
  },
  { header: "Count", numeric: true, cell: (code) => formatCount(code.count) },
  { header: "Devices", numeric: true, cell: (code) => formatCount(code.devices) },
];

export function FlappingDevicesPanel({ state }: { state: FleetViewState }) {
  const query = useQuery(fleetQueries.flapping(state));
  const { data } = query;
  return (
    <FleetTablePanel
      id="flapping-heading"
      title="Flapping devices"
      note={<p className="muted">most drops per hour; clean client disconnects not counted</p>}
      query={query}
    >
      {data ? (
        <DataTable
          label="Flapping devices"
          columns={flappingColumns(data)}
          rows={data.devices}
          rowKey={(device) => device.deviceId}
          emptyText="No device dropped in this range."
        />
      ) : null}
    </FleetTablePanel>
  );
}

export function OfflineDevicesPanel({ state }: { state: FleetViewState }) {
  const query = useQuery(fleetQueries.offline(state));
  const { data } = query;
  const now = Date.now();
  return (
    <FleetTablePanel
      id="offline-heading"
      title="Offline longest"
      note={<p className="muted">{data ? `${formatCount(data.totalOffline)} offline now` : "offline now"}; not limited to the range</p>}
      query={query}
    >
      {data ? (
        <DataTable
          label="Devices offline longest"
          columns={offlineColumns(now)}
          rows={data.devices}
          rowKey={(device) => device.deviceId}
          emptyText="No device is offline."
        />
      ) : null}
    </FleetTablePanel>
  );
}

export function NewCodesPanel({ state }: { state: FleetViewState }) {
  const query = useQuery(fleetQueries.newCodes(state));
  const { data } = query;
  return (
    <FleetTablePanel
      id="new-codes-heading"
      title="New codes"
      note={<p className="muted">first seen in this range, never before</p>}
      query={query}
    >
      {data ? (
        <DataTable
          label="New codes"
          columns={NEW_CODE_COLUMNS}
          rows={data.codes}
          rowKey={(code) => code.code}
          emptyText="No new code in this range."
        />
      ) : null}
    </FleetTablePanel>
  );
}
