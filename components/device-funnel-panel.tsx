"use client";

import { useQuery } from "@tanstack/react-query";
import { rangeAround } from "@/lib/diagnosis/statistics.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import type { RangeMode } from "@/lib/http/device-range.ts";
import { AttemptFunnelView, type FunnelStageData } from "./attempt-funnel-view.tsx";
import { EvidenceLink } from "./evidence-link.tsx";
import { deviceQueries, type DeviceFunnelResponse } from "./queries/device.ts";
import { isStale, QueryStatus } from "./query-status.tsx";

/** The device's connection attempts in the page's range by the stage they reached (beside the timeline's session statistics). */
export function DeviceFunnelPanel({
  deviceId,
  mode,
  initialData,
  renderedAt,
}: {
  deviceId: string;
  mode: RangeMode;
  initialData: DeviceFunnelResponse;
  renderedAt: string;
}) {
  const query = useQuery({
    ...deviceQueries.funnel(deviceId, mode, Date.parse(renderedAt)),
    initialData,
    initialDataUpdatedAt: Date.parse(renderedAt),
  });
  const timelineLink = (stage: FunnelStageData) =>
    stage.latestAt ? (
      <EvidenceLink href={deviceHref(deviceId, rangeAround(new Date(stage.latestAt)))}>Latest in the timeline</EvidenceLink>
    ) : null;
  return (
    <section className={isStale(query) ? "panel panel-stale" : "panel"} aria-labelledby="attempt-funnel-heading">
      <div className="panel-header">
        <h2 id="attempt-funnel-heading">Connection attempts</h2>
        <p className="muted">where attempts stop: before the broker, at it, or after it accepted them</p>
      </div>
      <QueryStatus query={query} what="connection attempts" />
      <AttemptFunnelView funnel={query.data} linkFor={timelineLink} />
    </section>
  );
}
