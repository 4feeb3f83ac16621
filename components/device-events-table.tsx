"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeviceEventPage } from "@/lib/queries/list-device-events.ts";
import { deviceApiPath } from "@/lib/http/device-path.ts";
import { computeWindow, describeMode, isLive, type RangeMode } from "@/lib/http/device-range.ts";
import { liveDeviceMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "./fetch-json.ts";
import { isStale, QueryStatus } from "./query-status.tsx";
import { formatTimestamp, timeZoneLabel } from "./format.ts";
import { KIND_LABELS } from "./reason-style.ts";
import { DEVICE_REFRESH_MS, EVENTS_PAGE_SIZE } from "./refresh-settings.ts";
import { ReasonTag } from "./reason-tag.tsx";

export type DeviceEventsResponse = Jsonify<DeviceEventPage & { from: Date; to: Date }>;
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

  return (
    <section className={isStale(query) ? "panel panel-stale" : "panel"} aria-labelledby="events-heading">
      <div className="panel-header">
        <h2 id="events-heading">Events</h2>
        <p className="muted">newest first · {events.length} shown</p>
      </div>
      <QueryStatus query={query} what="events" />
      {events.length === 0 ? (
        <p className="empty">No events in this range.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Device events">
            <thead>
              <tr>
                <th scope="col">Time ({timeZoneLabel()})</th>
                <th scope="col">Kind</th>
                <th scope="col">Reason</th>
                <th scope="col">Code</th>
                <th scope="col">Initiator</th>
                <th scope="col">Message</th>
                <th scope="col">Client IP</th>
                <th scope="col">
                  <span className="visually-hidden">Raw payload</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => {
                const open = expanded.has(event.id);
                const rawId = `raw-${event.id}`;
                return (
                  <Fragment key={event.id}>
                    <tr>
                      <td className="nowrap mono">{formatTimestamp(event.occurredAt, { milliseconds: true }).replace(/ UTC\S*$/, "")}</td>
                      <td className="nowrap">{KIND_LABELS[event.kind]}</td>
                      <td>{event.kind === "connected" ? <span className="muted">—</span> : <ReasonTag reason={event.reason} />}</td>
                      <td className={event.code ? "mono" : undefined}>{event.code ?? <span className="muted">—</span>}</td>
                      <td>{event.initiator}</td>
                      <td className="message">
                        {event.message ?? <span className="muted">—</span>}
                        {event.flags.length > 0 ? <div className="error-text">flagged: {event.flags.join(", ")}</div> : null}
                      </td>
                      <td className="mono nowrap">
                        {event.clientIp ? (
                          `${event.clientIp}${event.clientPort ? `:${event.clientPort}` : ""}`
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="nowrap">
                        <button
                          type="button"
                          className="button-link"
                          aria-expanded={open}
                          aria-controls={open ? rawId : undefined}
                          onClick={() => toggle(event.id)}
                        >
                          Raw <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                          <span className="visually-hidden">
                            {" "}
                            payload of the {KIND_LABELS[event.kind].toLowerCase()} event at {formatTimestamp(event.occurredAt)}
                          </span>
                        </button>
                      </td>
                    </tr>
                    {open ? (
                      <tr className="raw-row">
                        <td colSpan={8}>
                          <pre id={rawId} className="raw-json" aria-label={`Raw payload from ${event.source}`} tabIndex={0}>
                            {JSON.stringify(event.raw, null, 2)}
                          </pre>
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
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
