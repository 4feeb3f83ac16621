import { queryOptions } from "@tanstack/react-query";
import { deviceApiPath } from "@/lib/http/device-path.ts";
import { computeWindow, describeMode, isLive, type RangeMode } from "@/lib/http/device-range.ts";
import { liveDeviceMeta } from "@/lib/live/live-query-selection.ts";
import type { AttemptFunnelData } from "../attempt-funnel-view.tsx";
import { fetchJson } from "../fetch-json.ts";
import { DEVICE_REFRESH_MS } from "../refresh-settings.ts";

export type DeviceFunnelResponse = AttemptFunnelData & { deviceId: string; from: string; to: string };

/** A device page's queries, keyed by the page's range mode so a range change is a new query. */
export const deviceQueries = {
  funnel: (deviceId: string, mode: RangeMode, nowMs: number) =>
    queryOptions({
      queryKey: ["device", "funnel", deviceId, describeMode(mode)],
      queryFn: ({ signal }) => {
        const window = computeWindow(mode, Date.now());
        const range = new URLSearchParams({ from: window.from.toISOString(), to: window.to.toISOString() });
        return fetchJson<DeviceFunnelResponse>(`${deviceApiPath(deviceId, "funnel")}?${range.toString()}`, signal);
      },
      refetchInterval: isLive(mode, nowMs) ? DEVICE_REFRESH_MS : false,
      meta: isLive(mode, nowMs) ? liveDeviceMeta(deviceId) : undefined,
    }),
};
