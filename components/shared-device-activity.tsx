"use client";

import { useMemo, useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { SharedEvent, SharedSession } from "@/lib/share/get-shared-device-view.ts";
import { shapeDeviceTimeline } from "@/lib/queries/shape-device-timeline.ts";
import { DeviceTimelineView } from "./device-timeline.tsx";
import { formatTimestamp, timeZoneLabel } from "./format.ts";
import { clampPage, Pager } from "./pager.tsx";
import { KIND_LABELS } from "./reason-style.ts";
import { ReasonTag } from "./reason-tag.tsx";

const EVENTS_PER_PAGE = 25;

/** The shared window's timeline: the device page's chart, read-only (no zoom, nothing links out). */
export function SharedTimeline({
  sessions,
  events,
  from,
  to,
  renderedAt,
}: {
  sessions: Jsonify<SharedSession>[];
  events: Jsonify<SharedEvent>[];
  from: string;
  to: string;
  renderedAt: string;
}) {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const nowMs = Math.min(toMs, Date.parse(renderedAt));
  const timeline = useMemo(
    () =>
      shapeDeviceTimeline(
        sessions.map((session) => ({ ...session, clientIp: null })),
        events.filter((event) => event.kind === "disconnected" || event.kind === "connect_failed"),
        { from: new Date(fromMs), to: new Date(toMs), now: new Date(nowMs) },
      ),
    [sessions, events, fromMs, toMs, nowMs],
  );
  return <DeviceTimelineView timeline={timeline} range={{ fromMs, toMs }} nowMs={nowMs} />;
}

/** The shared window's events, newest first, a page at a time. */
export function SharedEventsList({ events }: { events: Jsonify<SharedEvent>[] }) {
  const [page, setPage] = useState(0);
  const shownPage = clampPage(page, events.length, EVENTS_PER_PAGE);
  const shown = events.slice(shownPage * EVENTS_PER_PAGE, (shownPage + 1) * EVENTS_PER_PAGE);
  if (events.length === 0) return <p className="empty">No events in the window.</p>;
  return (
    <>
      <div className="table-wrap">
        <table data-testid="shared-events" aria-label="Events">
          <thead>
            <tr>
              <th scope="col">Time ({timeZoneLabel()})</th>
              <th scope="col">Event</th>
              <th scope="col">Reason</th>
              <th scope="col">Code</th>
              <th scope="col">Client IP</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((event) => (
              <tr key={event.id}>
                <td className="nowrap mono">{formatTimestamp(event.occurredAt, { milliseconds: true })}</td>
                <td className="nowrap">{KIND_LABELS[event.kind]}</td>
                <td>{event.kind === "connected" ? <span className="muted">—</span> : <ReasonTag reason={event.reason} />}</td>
                <td className={event.code ? "mono" : undefined}>{event.code ?? <span className="muted">—</span>}</td>
                <td className="mono nowrap">{event.clientIp ?? "—"}</td>
                <td className="message">{event.message ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={shownPage} pageSize={EVENTS_PER_PAGE} total={events.length} onPage={setPage} label="Event pages" />
    </>
  );
}
