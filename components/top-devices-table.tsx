"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DroppingDevice } from "@/lib/queries/list-top-dropping-devices.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { FLEET_REFRESH_MS } from "./refresh-settings.ts";
import { DeviceLink } from "./fleet-panels.tsx";
import { formatCount, formatTimestamp } from "./format.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";

export type TopDevicesResponse = Jsonify<{ from: Date; to: Date; devices: DroppingDevice[] }>;
type TopDevice = TopDevicesResponse["devices"][number];

const TOP_DEVICE_COLUMNS: DataTableColumn<TopDevice>[] = [
  { header: "Device", cell: (device) => <DeviceLink deviceId={device.deviceId} /> },
  { header: "State", cell: (device) => <StateBadge state={device.state} /> },
  { header: "Drops", numeric: true, cell: (device) => formatCount(device.drops) },
  { header: "Failed", numeric: true, cell: (device) => formatCount(device.failedConnects) },
  { header: "Top reason", cell: (device) => <ReasonTag reason={device.topReason} /> },
  { header: "Last drop", className: "nowrap muted", cell: (device) => formatTimestamp(device.lastDropAt) },
];

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
  return (
    <>
      <QueryStatus query={query} what="device table" />
      <DataTable
        label="Devices with the most drops in the last 24 hours"
        columns={TOP_DEVICE_COLUMNS}
        rows={data.devices}
        rowKey={(device) => device.deviceId}
        emptyText="No device dropped in the last 24 hours."
      />
    </>
  );
}
