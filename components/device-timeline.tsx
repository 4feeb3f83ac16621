"use client";

import { useId, useState, type CSSProperties, type PointerEvent } from "react";
import type { DeviceTimeline, TimelineBar, TimelineMarker, TimelineTick } from "@/lib/queries/shape-device-timeline.ts";
import { formatDate, formatDuration, formatHourMinute, formatTimestamp, timeZoneLabel } from "./format.ts";
import { KIND_LABELS, REASON_COLORS, REASON_LABELS } from "./reason-style.ts";

const MIN_SELECTION_PX = 6;
const MIN_ZOOM_MS = 60_000;

type Hovered = { type: "marker"; marker: TimelineMarker } | { type: "bar"; bar: TimelineBar } | null;

function describeMarker(marker: TimelineMarker): string {
  const code = marker.code ? `, code ${marker.code}` : "";
  return `${KIND_LABELS[marker.kind]} at ${formatTimestamp(marker.atMs, { milliseconds: true })}: ${REASON_LABELS[marker.reason]} (${marker.reason})${code}`;
}

function clampPercent(value: number): number {
  return Math.min(88, Math.max(12, value));
}

/**
 * Connected intervals as bars with drop markers (disconnects as diamonds, refused connects as dots,
 * colored by reason). Dragging across the track selects a time range to zoom into.
 */
/** The tick in the viewer's zone: a day label stays a day (`11-22`), a time of day a time (`14:00`). */
function localTickLabel(tick: TimelineTick): string {
  return tick.label.includes("-") ? formatDate(tick.atMs).slice(5) : formatHourMinute(tick.atMs);
}

export function DeviceTimelineView({
  timeline,
  range,
  nowMs,
  onSelectRange,
}: {
  timeline: DeviceTimeline;
  range: { fromMs: number; toMs: number };
  nowMs: number;
  /** Without it (a shared, read-only view) the timeline cannot be dragged to zoom. */
  onSelectRange?: (fromMs: number, toMs: number) => void;
}) {
  const tooltipId = useId();
  const [hovered, setHovered] = useState<Hovered>(null);
  const [drag, setDrag] = useState<{ startX: number; currentX: number; width: number } | null>(null);
  const span = range.toMs - range.fromMs;

  function trackX(event: PointerEvent<HTMLDivElement>): { x: number; width: number } {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: Math.min(Math.max(event.clientX - rect.left, 0), rect.width), width: rect.width };
  }

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    if (!onSelectRange || event.button !== 0 || (event.target as HTMLElement).closest(".timeline-marker")) return;
    const { x, width } = trackX(event);
    event.currentTarget.setPointerCapture(event.pointerId);
    setHovered(null);
    setDrag({ startX: x, currentX: x, width });
  }

  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    if (!drag) return;
    setDrag({ ...drag, currentX: trackX(event).x });
  }

  function onPointerUp() {
    if (!drag) return;
    setDrag(null);
    const left = Math.min(drag.startX, drag.currentX);
    const right = Math.max(drag.startX, drag.currentX);
    if (right - left < MIN_SELECTION_PX || drag.width <= 0) return;
    const fromMs = Math.round(range.fromMs + (left / drag.width) * span);
    const toMs = Math.max(Math.round(range.fromMs + (right / drag.width) * span), fromMs + MIN_ZOOM_MS);
    onSelectRange?.(fromMs, toMs);
  }

  const nowPct = ((nowMs - range.fromMs) / span) * 100;
  const reasonsShown = [...new Set(timeline.markers.map((marker) => marker.reason))];
  const hoveredPct =
    hovered?.type === "marker" ? hovered.marker.leftPct : hovered?.type === "bar" ? hovered.bar.leftPct + hovered.bar.widthPct / 2 : 0;

  return (
    <div className="timeline">
      <p className="visually-hidden">
        {timeline.bars.length} connected intervals and {timeline.markers.length} drops in this range.
        {onSelectRange ? " Drag across the timeline to zoom into a time range." : null}
      </p>
      <div
        className="timeline-track"
        data-testid="timeline-track"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrag(null)}
      >
        {timeline.bars.map((bar) => (
          <div
            key={bar.id}
            className={`timeline-bar${bar.endMs === null ? " open" : ""}${bar.endInferred ? " inferred-end" : ""}`}
            style={{ left: `${bar.leftPct}%`, width: `${bar.widthPct}%` }}
            aria-hidden="true"
            onMouseEnter={() => !drag && setHovered({ type: "bar", bar })}
            onMouseLeave={() => setHovered(null)}
          />
        ))}
        {nowPct > 0 && nowPct < 100 ? <div className="timeline-now" style={{ left: `${nowPct}%` }} aria-hidden="true" /> : null}
        {timeline.markers.map((marker) => (
          <button
            key={marker.id}
            type="button"
            className={`timeline-marker${marker.kind === "connect_failed" ? " failed" : ""}`}
            data-reason={marker.reason}
            style={{ left: `${marker.leftPct}%`, "--marker-color": REASON_COLORS[marker.reason] } as CSSProperties}
            aria-label={describeMarker(marker)}
            aria-describedby={hovered?.type === "marker" && hovered.marker.id === marker.id ? tooltipId : undefined}
            onMouseEnter={() => !drag && setHovered({ type: "marker", marker })}
            onMouseLeave={() => setHovered(null)}
            onFocus={() => setHovered({ type: "marker", marker })}
            onBlur={() => setHovered(null)}
          />
        ))}
        {drag ? (
          <div
            className="timeline-selection"
            style={{
              left: `${(Math.min(drag.startX, drag.currentX) / drag.width) * 100}%`,
              width: `${(Math.abs(drag.currentX - drag.startX) / drag.width) * 100}%`,
            }}
          />
        ) : null}
      </div>
      <div className="timeline-axis" aria-hidden="true">
        {timeline.ticks.map((tick) => (
          <span key={tick.atMs} style={{ left: `${tick.leftPct}%` }}>
            {localTickLabel(tick)}
          </span>
        ))}
      </div>
      {hovered ? (
        <div id={tooltipId} role="tooltip" className="timeline-tooltip" style={{ left: `${clampPercent(hoveredPct)}%` }}>
          {hovered.type === "marker" ? (
            <>
              <strong>
                {KIND_LABELS[hovered.marker.kind]}: {REASON_LABELS[hovered.marker.reason]}
              </strong>
              <div>
                reason <code>{hovered.marker.reason}</code>
              </div>
              {hovered.marker.code ? (
                <div>
                  code <code>{hovered.marker.code}</code>
                </div>
              ) : null}
              <div>{formatTimestamp(hovered.marker.atMs, { milliseconds: true })}</div>
              {hovered.marker.message ? <div>{hovered.marker.message}</div> : null}
            </>
          ) : (
            <>
              <strong>Connected {formatDuration((hovered.bar.endMs ?? nowMs) - hovered.bar.startMs)}</strong>
              <div>from {formatTimestamp(hovered.bar.startMs)}</div>
              <div>{hovered.bar.endMs === null ? "still connected" : `until ${formatTimestamp(hovered.bar.endMs)}`}</div>
              {hovered.bar.endReason ? (
                <div>
                  ended by <code>{hovered.bar.endReason}</code>
                  {hovered.bar.endInferred ? " (inferred from the next connect)" : ""}
                </div>
              ) : null}
              {hovered.bar.clientIp ? <div>client {hovered.bar.clientIp}</div> : null}
            </>
          )}
        </div>
      ) : null}
      <div className="legend" aria-label="Legend">
        <span>
          <span className="legend-session" aria-hidden="true" />
          connected
        </span>
        {reasonsShown.map((reason) => (
          <span key={reason}>
            <span className="swatch" style={{ background: REASON_COLORS[reason] }} aria-hidden="true" />
            {REASON_LABELS[reason]} <code>{reason}</code>
          </span>
        ))}
        <span className="muted">
          ◆ disconnect · ● refused connect{onSelectRange ? " · drag to zoom" : ""} · times {timeZoneLabel()}
        </span>
      </div>
    </div>
  );
}
