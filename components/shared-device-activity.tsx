"use client";

import { useMemo, useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { SharedEvent, SharedSession } from "@/lib/share/get-shared-device-view.ts";
import { shapeDeviceTimeline } from "@/lib/queries/shape-device-timeline.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { DeviceTimelineView } from "./device-timeline.tsx";
import { formatTimestamp, timeZoneLabel } from "./format.ts";
import { clampPage } from "./pager.tsx";
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

type SharedEventRow = Jsonify<SharedEvent>;

// A function, not a constant: the time column's header names the viewer's time zone as it is when rendered.
function sharedEventColumns(): DataTableColumn<SharedEventRow>[] {
  return [
    {
      header: `Time (${timeZoneLabel()})`,
      key: "time",
      className: "nowrap mono",
      cell: (event) => formatTimestamp(event.occurredAt, { milliseconds: true }),
    },
    { header: "Event", className: "nowrap", cell: (event) => KIND_LABELS[event.kind] },
    {
      header: "Reason",
      cell: (event) => (event.kind === "connected" ? <span className="muted">—</span> : <ReasonTag reason={event.reason} />),
    },
    { header: "Code", className: "mono", cell: (event) => event.code ?? <span className="muted">—</span> },
    { header: "Client IP", className: "mono nowrap", cell: (event) => event.clientIp ?? "—" },
    { header: "Message", className: "message", cell: (event) => event.message ?? "" },
  ];
}

/** The shared window's events, newest first, a page at a time. */
export function SharedEventsList({ events }: { events: Jsonify<SharedEvent>[] }) {
  const [page, setPage] = useState(0);
  const shownPage = clampPage(page, events.length, EVENTS_PER_PAGE);
  const shown = events.slice(shownPage * EVENTS_PER_PAGE, (shownPage + 1) * EVENTS_PER_PAGE);
  return (
    <DataTable
      label="Events"
      testId="shared-events"
      columns={sharedEventColumns()}
      rows={shown}
      rowKey={(event) => event.id}
      emptyText="No events in the window."
      pager={{ page: shownPage, pageSize: EVENTS_PER_PAGE, total: events.length, onPage: setPage, label: "Event pages" }}
    />
  );
}
