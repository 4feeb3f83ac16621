"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries } from "./queries/fleet.ts";
import Link from "next/link";
import type { ReactNode } from "react";
import type { FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";
import { isStale, QueryStatus, type QueryOutcome } from "./query-status.tsx";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";

/** A fleet panel around one query's table: heading and note, then the error, "Loading…", the empty text or the table. */
export function FleetTablePanel(props: {
  id: string;
  title: string;
  note?: ReactNode;
  query: QueryOutcome & { isPending: boolean };
  isEmpty: boolean;
  emptyText: string;
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
      {props.query.data === undefined ? (isPending ? <p className="muted">Loading…</p> : null) : props.isEmpty ? <p className="empty">{props.emptyText}</p> : <div className="table-wrap">{props.children}</div>}
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

export function FlappingDevicesPanel({ state }: { state: FleetViewState }) {
  const query = useQuery(fleetQueries.flapping(state));
  const { data } = query;
  return (
    <FleetTablePanel
      id="flapping-heading"
      title="Flapping devices"
      note={<p className="muted">most drops per hour; clean client disconnects not counted</p>}
      query={query}
      isEmpty={data?.devices.length === 0}
      emptyText="No device dropped in this range."
    >
      {data ? (
        <table aria-label="Flapping devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">State</th>
              <th scope="col" className="num">Drops</th>
              <th scope="col" className="num">Per hour</th>
              <th scope="col" className="num">Peak hour</th>
              <th scope="col">Top reason</th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((device) => (
              <tr key={device.deviceId}>
                <td>
                  <DeviceLink deviceId={device.deviceId} range={data} />
                </td>
                <td><StateBadge state={device.state} /></td>
                <td className="num">{formatCount(device.drops)}</td>
                <td className="num">{device.dropsPerHour.toFixed(device.dropsPerHour >= 10 ? 0 : 2)}</td>
                <td className="num">{formatCount(device.peakHourDrops)}</td>
                <td><ReasonTag reason={device.topReason} /></td>
              </tr>
            ))}
          </tbody>
        </table>
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
      isEmpty={data?.devices.length === 0}
      emptyText="No device is offline."
    >
      {data ? (
        <table aria-label="Devices offline longest">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Offline for</th>
              <th scope="col">Last reason</th>
              <th scope="col">Code</th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((device) => (
              <tr key={device.deviceId}>
                <td>
                  <DeviceLink deviceId={device.deviceId} />
                </td>
                <td className="nowrap" title={device.offlineSince ? formatTimestamp(device.offlineSince) : undefined}>
                  {device.offlineSince ? formatDuration(now - new Date(device.offlineSince).getTime()) : "—"}
                </td>
                <td><ReasonTag reason={device.lastReason} /></td>
                <td>{device.lastCode ? <code>{device.lastCode}</code> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
      isEmpty={data?.codes.length === 0}
      emptyText="No new code in this range."
    >
      {data ? (
        <table aria-label="New codes">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Reason</th>
              <th scope="col">First seen</th>
              <th scope="col" className="num">Count</th>
              <th scope="col" className="num">Devices</th>
            </tr>
          </thead>
          <tbody>
            {data.codes.map((code) => (
              <tr key={code.code}>
                <td>
                  <Link href={`/codes/${encodeURIComponent(code.code)}`}><code>{code.code}</code></Link>
                </td>
                <td><ReasonTag reason={code.reason} /></td>
                <td className="nowrap muted">
                  {formatTimestamp(code.firstSeenAt)} on{" "}
                  <DeviceLink deviceId={code.firstDeviceId} />
                </td>
                <td className="num">{formatCount(code.count)}</td>
                <td className="num">{formatCount(code.devices)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </FleetTablePanel>
  );
}
