"use client";

import Link from "next/link";
import type { FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";
import { useFlappingDevices, useNewCodes, useOfflineDevices } from "./use-fleet-queries.ts";

function Status({ error, isPending }: { error: Error | null; isPending: boolean }) {
  if (error) return <p className="error-text" role="alert">{error.message}</p>;
  return isPending ? <p className="muted">Loading…</p> : null;
}

export function FlappingDevicesPanel({ state }: { state: FleetViewState }) {
  const { data, error, isPending } = useFlappingDevices(state);
  return (
    <section className="panel" aria-labelledby="flapping-heading">
      <div className="panel-header">
        <h2 id="flapping-heading">Flapping devices</h2>
        <p className="muted">most drops per hour; clean client disconnects not counted</p>
      </div>
      <Status error={error} isPending={isPending} />
      {data && data.devices.length === 0 ? <p className="empty">No device dropped in this range.</p> : null}
      {data && data.devices.length > 0 ? (
        <div className="table-wrap">
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
                    <Link href={deviceHref(device.deviceId, { from: data.from, to: data.to })} className="device-id">{device.deviceId}</Link>
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
        </div>
      ) : null}
    </section>
  );
}

export function OfflineDevicesPanel({ state }: { state: FleetViewState }) {
  const { data, error, isPending } = useOfflineDevices(state);
  const now = Date.now();
  return (
    <section className="panel" aria-labelledby="offline-heading">
      <div className="panel-header">
        <h2 id="offline-heading">Offline longest</h2>
        <p className="muted">{data ? `${formatCount(data.totalOffline)} offline now` : "offline now"}; not limited to the range</p>
      </div>
      <Status error={error} isPending={isPending} />
      {data && data.devices.length === 0 ? <p className="empty">No device is offline.</p> : null}
      {data && data.devices.length > 0 ? (
        <div className="table-wrap">
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
                    <Link href={deviceHref(device.deviceId)} className="device-id">{device.deviceId}</Link>
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
        </div>
      ) : null}
    </section>
  );
}

export function NewCodesPanel({ state }: { state: FleetViewState }) {
  const { data, error, isPending } = useNewCodes(state);
  return (
    <section className="panel" aria-labelledby="new-codes-heading">
      <div className="panel-header">
        <h2 id="new-codes-heading">New codes</h2>
        <p className="muted">first seen in this range, never before</p>
      </div>
      <Status error={error} isPending={isPending} />
      {data && data.codes.length === 0 ? <p className="empty">No new code in this range.</p> : null}
      {data && data.codes.length > 0 ? (
        <div className="table-wrap">
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
                    <Link href={deviceHref(code.firstDeviceId)} className="device-id">{code.firstDeviceId}</Link>
                  </td>
                  <td className="num">{formatCount(code.count)}</td>
                  <td className="num">{formatCount(code.devices)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
