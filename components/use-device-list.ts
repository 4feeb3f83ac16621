"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { serializeDeviceListParams, type DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeviceSearchPage } from "@/lib/queries/search-devices.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "./fetch-json.ts";

const PAGE_SIZE = 100;

/**
 * The device list, page by page through the keyset cursor. A new filter cancels the request in flight
 * (TanStack Query aborts the signal) and the previous rows stay on screen until the new ones arrive.
 */
export function useDeviceList(filter: DeviceListFilter) {
  const params = serializeDeviceListParams(filter).toString();
  return useInfiniteQuery({
    queryKey: ["devices", "list", params],
    queryFn: ({ pageParam, signal }) => {
      const search = new URLSearchParams(params);
      search.set("limit", String(PAGE_SIZE));
      if (pageParam) search.set("cursor", pageParam);
      return fetchJson<Jsonify<DeviceSearchPage>>(`/api/v1/devices?${search.toString()}`, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
    meta: liveFleetMeta,
  });
}
