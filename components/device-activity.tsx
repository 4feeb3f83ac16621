"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useRef } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import { computeSessionStats, countDropsAndFailures } from "@/lib/queries/compute-session-stats.ts";
import type { DeviceEventPage } from "@/lib/queries/list-device-events.ts";
import type { DeviceSessionList } from "@/lib/queries/list-device-sessions.ts";
import { shapeDeviceTimeline } from "@/lib/queries/shape-device-timeline.ts";
import { deviceApiPath, deviceHref } from "@/lib/http/device-path.ts";
import { computeWindow, describeMode, isLive, RANGE_PRESETS, type RangeMode } from "@/lib/http/device-range.ts";
import { liveDeviceMeta } from "@/lib/live/live-query-selection.ts";
import { DeviceTimelineView } from "./device-timeline.tsx";
import { useEvidenceHighlight } from "./evidence-link.tsx";
import { fetchJson } from "./fetch-json.ts";
import { isStale, QueryStatus } from "./query-status.tsx";
import { formatDuration, formatTimestamp } from "./format.ts";
import { DEVICE_REFRESH_MS, MAX_DROP_MARKERS } from "./refresh-settings.ts";
import { SessionStatsPanel } from "./session-stats-panel.tsx";
import { useHydrated } from "./use-hydrated.ts";

export type DeviceActivityData = Jsonify<{
  from: Date;
  to: Date;
  now: Date;
  sessions: DeviceSessionList["sessions"];
  sessionsTruncated: boolean;
  drops: DeviceEventPage["events"];
  dropsTruncated: boolean;
}>;

async function fetchDeviceActivity(deviceId: string, mode: RangeMode, signal: AbortSignal): Promise<DeviceActivityData> {
  const now = new Date();
  const window = computeWindow(mode, now.getTime());
  const range = { from: window.from.toISOString(), to: window.to.toISOString() };
  const [sessions, drops] = await Promise.all([
    fetchJson<Jsonify<DeviceSessionList>>(`${deviceApiPath(deviceId, "sessions")}?${new URLSearchParams(range).toString()}`, signal),
    fetchJson<Jsonify<DeviceEventPage>>(
      `${deviceApiPath(deviceId, "events")}?${new URLSearchParams({ ...range, kind: "disconnected,connect_failed", limit: String(MAX_DROP_MARKERS) }).toString()}`,
      signal,
    ),
  ]);
  return {
    ...range,
    now: now.toISOString(),
    sessions: sessions.sessions,
    sessionsTruncated: sessions.truncated,
    drops: drops.events,
    dropsTruncated: drops.nextCursor !== null,
  };
}

/** Range toolbar, session timeline with drop markers, and session statistics for one device. */
export function DeviceActivity({ deviceId, mode, initialData }: { deviceId: string; mode: RangeMode; initialData: DeviceActivityData }) {
  const router = useRouter();
  const sectionRef = useRef<HTMLElement>(null);
  const highlighted = useEvidenceHighlight(sectionRef);
  const live = isLive(mode, Date.parse(initialData.now));
  const query = useQuery({
    queryKey: ["device-activity", deviceId, describeMode(mode)],
    queryFn: ({ signal }) => fetchDeviceActivity(deviceId, mode, signal),
    initialData,
    initialDataUpdatedAt: Date.parse(initialData.now),
    refetchInterval: live ? DEVICE_REFRESH_MS : false,
    meta: live ? liveDeviceMeta(deviceId) : undefined,
  });
  const { data } = query;
  // A refetch starts on mount when the server's data is already stale to this browser: not part of hydration.
  const isFetching = useHydrated() && query.isFetching;

  const fromMs = Date.parse(data.from);
  const toMs = Date.parse(data.to);
  const nowMs = Date.parse(data.now);
  const timeline = useMemo(
    () => shapeDeviceTimeline(data.sessions, data.drops, { from: new Date(fromMs), to: new Date(toMs), now: new Date(nowMs) }),
    [data.sessions, data.drops, fromMs, toMs, nowMs],
  );
  const stats = useMemo(
    () =>
      computeSessionStats(data.sessions, {
        from: new Date(fromMs),
        to: new Date(toMs),
        now: new Date(nowMs),
        // A token renewal's 401003 is its drop, not a failed connect (see countDropsAndFailures).
        failedConnects: countDropsAndFailures(data.drops).failedConnects,
      }),
    [data.sessions, data.drops, fromMs, toMs, nowMs],
  );

  function showRange(range: { from?: number; to?: number }) {
    router.push(
      deviceHref(deviceId, {
        from: range.from === undefined ? undefined : new Date(range.from).toISOString(),
        to: range.to === undefined ? undefined : new Date(range.to).toISOString(),
      }),
      { scroll: false },
    );
  }

  function zoomOut() {
    const span = toMs - fromMs;
    const center = fromMs + span / 2;
    const now = Date.now();
    const to = Math.min(center + span, now);
    showRange(to >= now ? { from: to - span * 2 } : { from: to - span * 2, to });
  }

  const spanMs = toMs - fromMs;
  const activePreset = RANGE_PRESETS.find((preset) =>
    mode.kind === "rolling"
      ? preset.spanMs === mode.spanMs
      : mode.kind === "since" && Math.abs(spanMs - preset.spanMs) <= preset.spanMs * 0.05,
  );

  return (
    <section
      ref={sectionRef}
      tabIndex={-1}
      id="timeline"
      className={["panel", isStale(query) ? "panel-stale" : "", highlighted ? "evidence-highlight" : ""].filter(Boolean).join(" ")}
      aria-labelledby="activity-heading"
    >
      <div className="panel-header">
        <h2 id="activity-heading">Connection timeline</h2>
        <span className="range-label" data-testid="range-label">
          {formatTimestamp(fromMs)} → {formatTimestamp(toMs)} ({formatDuration(spanMs)}) · {live ? "live" : "fixed range"}
          {isFetching ? " · updating…" : ""}
        </span>
      </div>
      <div className="toolbar" style={{ marginBottom: "var(--space-3)" }}>
        <div className="button-group" role="group" aria-label="Time range">
          {RANGE_PRESETS.map((preset) => (
            <button
              key={preset.label}
              type="button"
              className="button button-small"
              aria-pressed={activePreset?.label === preset.label}
              onClick={() => showRange({ from: Date.now() - preset.spanMs })}
            >
              {preset.label}
            </button>
          ))}
          <button type="button" className="button button-small" onClick={zoomOut} disabled={spanMs * 2 > 92 * 86_400_000}>
            Zoom out
          </button>
          {mode.kind !== "rolling" ? (
            <button type="button" className="button button-small" onClick={() => router.push(deviceHref(deviceId), { scroll: false })}>
              Reset to live 24 h
            </button>
          ) : null}
        </div>
      </div>
      <QueryStatus query={query} what="timeline" />
      {data.sessionsTruncated || data.dropsTruncated ? (
        <p className="notice">
          This range holds more than can be drawn; showing the newest {data.dropsTruncated ? `${data.drops.length} drops` : "sessions"}.
          Zoom in for the full detail.
        </p>
      ) : null}
      <DeviceTimelineView
        timeline={timeline}
        range={{ fromMs, toMs }}
        nowMs={nowMs}
        onSelectRange={(from, to) => showRange(to >= Date.now() ? { from } : { from, to })}
      />
      <h3 className="visually-hidden">Session statistics</h3>
      <div style={{ marginTop: "var(--space-4)" }}>
        <SessionStatsPanel stats={stats} failedConnectsAtLeast={data.dropsTruncated} />
      </div>
    </section>
  );
}
