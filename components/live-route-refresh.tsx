"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { createCoalescer } from "@/lib/live/live-coalescer.ts";
import { isAffectedByChanges, liveDeviceMeta, liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { useLiveUpdates } from "./live-updates-provider.tsx";

/**
 * For server-rendered views: re-renders the page (router.refresh keeps client state) when new events arrive,
 * for one device or the whole fleet, at most once per `minIntervalMs` (the first change after a quiet
 * period at once).
 */
export function LiveRouteRefresh({ deviceId, minIntervalMs }: { deviceId?: string; minIntervalMs: number }) {
  const router = useRouter();
  const { subscribe } = useLiveUpdates();
  useEffect(() => {
    const meta = deviceId === undefined ? liveFleetMeta : liveDeviceMeta(deviceId);
    const coalescer = createCoalescer(() => router.refresh(), minIntervalMs);
    const unsubscribe = subscribe((changes) => {
      if (isAffectedByChanges(meta, changes)) coalescer.trigger();
    });
    return () => {
      unsubscribe();
      coalescer.cancel();
    };
  }, [deviceId, minIntervalMs, router, subscribe]);
  return null;
}
