"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import { deviceApiPath } from "@/lib/http/device-path.ts";
import { liveDeviceMeta } from "@/lib/live/live-query-selection.ts";
import type { DeviceDetail } from "@/lib/queries/get-device.ts";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { formatTimestamp } from "./format.ts";
import { REASON_LABELS } from "./reason-style.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { StateBadge } from "./state-badge.tsx";

export type DeviceHeaderData = Jsonify<DeviceDetail>;

/** The device's ID, state and facts; live: refetched as soon as the device has new events. */
export function DeviceHeader({ initialDevice, renderedAt }: { initialDevice: DeviceHeaderData; renderedAt: string }) {
  const query = useQuery({
    queryKey: ["device", initialDevice.id],
    queryFn: async ({ signal }) => (await fetchJson<{ device: DeviceHeaderData }>(deviceApiPath(initialDevice.id), signal)).device,
    initialData: initialDevice,
    initialDataUpdatedAt: Date.parse(renderedAt),
    meta: liveDeviceMeta(initialDevice.id),
  });
  const device = query.data;

  const facts: [string, ReactNode][] = [
    [
      "Last reason",
      device.lastReason ? (
        <>
          {REASON_LABELS[device.lastReason]} <ReasonTag reason={device.lastReason} />
          {device.lastCode ? <code> · {device.lastCode}</code> : null}
        </>
      ) : (
        "—"
      ),
    ],
    ["State since", device.stateOccurredAt ? formatTimestamp(device.stateOccurredAt) : "—"],
    ["Last connect", device.lastConnectedAt ? formatTimestamp(device.lastConnectedAt) : "—"],
    ["Last disconnect", device.lastDisconnectedAt ? formatTimestamp(device.lastDisconnectedAt) : "—"],
    ["Client IP", device.lastClientIp ?? "—"],
    ["Source", [device.source, device.brokerNode].filter(Boolean).join(" · ") || "—"],
  ];
  for (const [label, value] of [
    ["Firmware", device.firmware],
    ["Region", device.region],
    ["Network", device.network],
  ] as const) {
    if (value) facts.push([label, value]);
  }
  facts.push([
    "Drops · 24 h",
    `${device.stats.truncated ? "at least " : ""}${device.stats.drops} of ${device.stats.disconnects} disconnects, ${device.stats.failedConnects} failed connects`,
  ]);

  return (
    <>
      <div className="device-title">
        <h1 data-testid="device-id">{device.id}</h1>
        <StateBadge state={device.state} />
      </div>
      <dl className="facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <QueryStatus query={query} what="device's state" />
    </>
  );
}
