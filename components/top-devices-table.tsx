"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DroppingDevice } from "@/lib/queries/list-top-dropping-devices.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { FLEET_REFRESH_MS } from "./refresh-settings.ts";
import { DeviceLink } from "./fleet-panels.tsx";
import { formatCount, formatTimestamp } from "./format.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";

export type TopDevicesResponse = Jsonify<{ from: Date; to: Date; devices: DroppingDevice[] }>;

/** The devices with the most unrequested drops and failed connects in the last 24 h. */
export function TopDevicesTable({ initialData }: { initialData: TopDevicesResponse }) {
  const query = useQuery({
    queryKey: ["fleet-top-devices", "24h"],
    queryFn: ({ signal }) => fetchJson<TopDevicesResponse>("/api/v1/fleet/top-devices?limit=10", signal),
    initialData,
    refetchInterval: FLEET_REFRESH_MS,
    meta: liveFleetMeta,
  });
  const { data } = query;
  const status = <QueryStatus query={query} what="device table" />;
  if (data.devices.length === 0) {
    return (
      <>
        {status}
        <p className="empty">No device dropped in the last 24 hours.</p>
      </>
    );
  }
  return (
    <>
      {status}
      <div className="table-wrap">
        <table aria-label="Devices with the most drops in the last 24 hours">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Drops
              </th>
              <th scope="col" className="num">
                Failed
              </th>
              <th scope="col">Top reason</th>
              <th scope="col">Last drop</th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((device) => (
              <tr key={device.deviceId}>
                <td>
                  <DeviceLink deviceId={device.deviceId} />
                </td>
                <td>
                  <StateBadge state={device.state} />
                </td>
                <td className="num">{formatCount(device.drops)}</td>
                <td className="num">{formatCount(device.failedConnects)}</td>
                <td>
                  <ReasonTag reason={device.topReason} />
                </td>
                <td className="nowrap muted">{formatTimestamp(device.lastDropAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
