"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeviceEventPage } from "@/lib/queries/list-device-events.ts";
import { deviceApiPath } from "@/lib/http/device-path.ts";
import { computeWindow, describeMode, isLive, type RangeMode } from "@/lib/http/device-range.ts";
import { liveDeviceMeta } from "@/lib/live/live-query-selection.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { fetchJson } from "./fetch-json.ts";
import { isStale, QueryStatus } from "./query-status.tsx";
import { formatTimestamp, timeZoneLabel } from "./format.ts";
import { KIND_LABELS } from "./reason-style.ts";
import { DEVICE_REFRESH_MS, EVENTS_PAGE_SIZE } from "./refresh-settings.ts";
import { ReasonTag } from "./reason-tag.tsx";

export type DeviceEventsResponse = Jsonify<DeviceEventPage & { from: Date; to: Date }>;
type DeviceEvent = DeviceEventsResponse["events"][number];
type PageParam = { from: string; to: string; cursor: string } | null;

async function fetchEventsPage(
  deviceId: string,
  mode: RangeMode,
  pageParam: PageParam,
  signal: AbortSignal,
): Promise<DeviceEventsResponse> {
  const window = computeWindow(mode, Date.now());
  const params = new URLSearchParams(pageParam ?? { from: window.from.toISOString(), to: window.to.toISOString() });
  params.set("limit", String(EVENTS_PAGE_SIZE));
  return fetchJson<DeviceEventsResponse>(`${deviceApiPath(deviceId, "events")}?${params.toString()}`, signal);
}

/** Every event of the device in the range, newest first, with the raw payload on demand. */
export function DeviceEventsTable({
  deviceId,
  mode,
  initialPage,
  initialNow,
}: {
  deviceId: string;
  mode: RangeMode;
  initialPage: DeviceEventsResponse;
  initialNow: string;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const live = isLive(mode, Date.parse(initialNow));
  const query = useInfiniteQuery({
    queryKey: ["device-events", deviceId, describeMode(mode)],
    queryFn: ({ pageParam, signal }) => fetchEventsPage(deviceId, mode, pageParam, signal),
    initialPageParam: null as PageParam,
    getNextPageParam: (lastPage): PageParam | undefined =>
      lastPage.nextCursor ? { from: lastPage.from, to: lastPage.to, cursor: lastPage.nextCursor } : undefined,
    initialData: { pages: [initialPage], pageParams: [null] },
    initialDataUpdatedAt: Date.parse(initialNow),
    refetchInterval: live ? DEVICE_REFRESH_MS : false,
    meta: live ? liveDeviceMeta(deviceId) : undefined,
  });
  const { data, fetchNextPage, hasNextPage, isFetchingNextPage } = query;
  const events = data.pages.flatMap((page) => page.events);

  function toggle(id: string) {
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const columns: DataTableColumn<DeviceEvent>[] = [
    {
      header: `Time (${timeZoneLabel()})`,
      key: "time",
      className: "nowrap mono",
      cell: (event) => formatTimestamp(event.occurredAt, { milliseconds: true }).replace(/ UTC\S*$/, ""),
    },
    { header: "Kind", className: "nowrap", cell: (event) => KIND_LABELS[event.kind] },
    {
      header: "Reason",
      cell: (event) => (event.kind === "connected" ? <span className="muted">—</span> : <ReasonTag reason={event.reason} />),
    },
    { header: "Code", className: "mono", cell: (event) => event.code ?? <span className="muted">—</span> },
    { header: "Initiator", cell: (event) => event.initiator },
    {
      header: "Message",
      className: "message",
      cell: (event) => (
        <>
          {event.message ?? <span className="muted">—</span>}
          {event.flags.length > 0 ? <div className="error-text">flagged: {event.flags.join(", ")}</div> : null}
        </>
      ),
    },
    {
      header: "Client IP",
      className: "mono nowrap",
      cell: (event) =>
        event.clientIp ? `${event.clientIp}${event.clientPort ? `:${event.clientPort}` : ""}` : <span className="muted">—</span>,
    },
    {
      header: <span className="visually-hidden">Raw payload</span>,
      key: "raw",
      className: "nowrap",
      cell: (event) => {
        const open = expanded.has(event.id);
        return (
          <button
            type="button"
            className="button-link"
            aria-expanded={open}
            aria-controls={open ? `raw-${event.id}` : undefined}
            onClick={() => toggle(event.id)}
          >
            Raw <span aria-hidden="true">{open ? "▾" : "▸"}</span>
            <span className="visually-hidden">
              {" "}
              payload of the {KIND_LABELS[event.kind].toLowerCase()} event at {formatTimestamp(event.occurredAt)}
            </span>
          </button>
        );
      },
    },
  ];

  return (
    <section className={isStale(query) ? "panel panel-stale" : "panel"} aria-labelledby="events-heading">
      <div className="panel-header">
        <h2 id="events-heading">Events</h2>
        <p className="muted">newest first · {events.length} shown</p>
      </div>
      <QueryStatus query={query} what="events" />
      <DataTable
        label="Device events"
        columns={columns}
        rows={events}
        rowKey={(event) => event.id}
        rowDetail={(event) =>
          expanded.has(event.id) ? (
            <pre id={`raw-${event.id}`} className="raw-json" aria-label={`Raw payload from ${event.source}`} tabIndex={0}>
              {JSON.stringify(event.raw, null, 2)}
            </pre>
          ) : null
        }
        emptyText="No events in this range."
      />
      {hasNextPage ? (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : null}
    </section>
  );
}
