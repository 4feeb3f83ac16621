"use client";

import Link from "next/link";
import { useEffect, useId, useMemo, useState, type ReactNode } from "react";
import {
  DEFAULT_DEVICE_LIST_FILTER,
  DEVICE_ATTRIBUTE_FILTERS,
  parseDeviceListParams,
  serializeDeviceListParams,
  type DeviceAttributeFilter,
  type DeviceListFilter,
  type DeviceSort,
} from "@/lib/devices/device-list-params.ts";
import { REASONS } from "@/lib/events/connection-event.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import type { DeviceFacets } from "@/lib/queries/list-device-facets.ts";
import { formatTimestamp } from "./format.ts";
import { ReasonTag } from "./reason-tag.tsx";
import { REASON_LABELS } from "./reason-style.ts";
import { StateBadge } from "./state-badge.tsx";
import { useDebouncedValue } from "./use-debounced-value.ts";
import { useUrlState } from "./use-url-state.ts";
import { useDeviceList } from "./use-device-list.ts";
import { useHydrated } from "./use-hydrated.ts";
import { useVirtualRows } from "./use-virtual-rows.ts";
import "./device-list.css";

const ROW_HEIGHT = 37;
const SEARCH_DEBOUNCE_MS = 150;
// Ask for the next page while this many loaded rows are still below the visible ones.
const PREFETCH_ROWS = 40;

const ATTRIBUTE_LABELS: Record<DeviceAttributeFilter, string> = {
  source: "Source",
  brokerNode: "Broker node",
  firmware: "Firmware",
  region: "Region",
  network: "Network",
};

/**
 * Widths are each column's minimum, in px: the fixed layout shares out any room beyond their sum, and below it the
 * table keeps its width and scrolls sideways (device-list.css) rather than cut a timestamp or a reason to a few letters.
 */
const COLUMNS: { label: string; sort?: DeviceSort; className?: string; width: number }[] = [
  { label: "Device", sort: "id", width: 160 },
  { label: "State", sort: "state", width: 100 },
  { label: "Last change", sort: "changed", width: 190 },
  { label: "Disconnects", sort: "disconnects", className: "num", width: 130 },
  { label: "Last reason", sort: "reason", width: 190 },
  { label: "Last code", width: 150 },
  { label: "Source", width: 110 },
];
const TABLE_MIN_WIDTH = COLUMNS.reduce((sum, column) => sum + column.width, 0);

/**
 * The device list: search as you type, filters, sortable columns, a count of matches, infinite scrolling
 * through a virtualized table, and a CSV export of exactly what is listed. Everything lives in the URL.
 */
export function DeviceList({ facets }: { facets: DeviceFacets }) {
  const formId = useId();
  const [filter, setUrlFilter] = useUrlState(parseDeviceListParams, serializeDeviceListParams);
  const [text, setText] = useState(filter.query ?? "");
  const query = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const applied = useMemo<DeviceListFilter>(() => ({ ...filter, query: query || undefined }), [filter, query]);
  const params = serializeDeviceListParams(applied).toString();

  // The search box writes to the address once the typing settles: only the text, into the address as it is then, so
  // a filter chosen meanwhile (in the address, maybe not rendered yet) stays.
  useEffect(() => setUrlFilter((current) => ({ ...current, query: query || undefined })), [query, setUrlFilter]);

  const list = useDeviceList(applied);
  const devices = useMemo(() => list.data?.pages.flatMap((page) => page.devices) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total ?? null;
  const { scrollRef, start, end, paddingTop, paddingBottom } = useVirtualRows({ count: devices.length, rowHeight: ROW_HEIGHT });

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  // A refetch starts on mount when the server's data is already stale to this browser: not part of hydration.
  const refreshing = useHydrated() && list.isFetching && !isFetchingNextPage;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && end >= devices.length - PREFETCH_ROWS) void fetchNextPage();
  }, [end, devices.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [params, scrollRef]);

  const update = (change: Partial<DeviceListFilter>) => setUrlFilter((current) => ({ ...current, ...change }));
  const toggleSort = (sort: DeviceSort) =>
    setUrlFilter((current) => ({
      ...current,
      ...(current.sort === sort
        ? { dir: current.dir === "asc" ? "desc" : "asc" }
        : { sort, dir: sort === "disconnects" || sort === "changed" ? "desc" : "asc" }),
    }));
  const clear = () => {
    setText("");
    setUrlFilter((current) => ({ ...DEFAULT_DEVICE_LIST_FILTER, sort: current.sort, dir: current.dir }));
  };
  const filtered = serializeDeviceListParams({ ...applied, sort: "id", dir: "asc", match: "substring" }).size > 0;
  const exportParams = serializeDeviceListParams({ ...filter, query: text.trim() || undefined }).toString();

  return (
    <section className="panel" aria-label="Device list">
      <form id={formId} className="device-list-filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="device-list-search">
          <label htmlFor={`${formId}-query`}>Device ID</label>
          <input
            id={`${formId}-query`}
            type="search"
            name="query"
            value={text}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. sensor-042 or plant 7/line#2"
            onChange={(event) => setText(event.target.value)}
          />
        </div>
        <Field label="Match">
          {(id) => (
            <select
              id={id}
              value={filter.match}
              onChange={(event) => update({ match: event.target.value === "prefix" ? "prefix" : "substring" })}
            >
              <option value="substring">contains</option>
              <option value="prefix">starts with</option>
            </select>
          )}
        </Field>
        <Field label="State">
          {(id) => (
            <select
              id={id}
              value={filter.state ?? ""}
              onChange={(event) => update({ state: parseOption(event.target.value, ["online", "offline", "unknown"] as const) })}
            >
              <option value="">any</option>
              <option value="online">online (connected)</option>
              <option value="offline">offline (disconnected)</option>
              <option value="unknown">unknown</option>
            </select>
          )}
        </Field>
        <Field label="Last reason">
          {(id) => (
            <select id={id} value={filter.reason ?? ""} onChange={(event) => update({ reason: parseOption(event.target.value, REASONS) })}>
              <option value="">any</option>
              {REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {REASON_LABELS[reason]} ({reason})
                </option>
              ))}
            </select>
          )}
        </Field>
        {DEVICE_ATTRIBUTE_FILTERS.map((key) => {
          const selected = filter[key];
          const values = selected && !facets[key].includes(selected) ? [selected, ...facets[key]] : facets[key];
          if (values.length === 0) return null;
          return (
            <Field key={key} label={ATTRIBUTE_LABELS[key]}>
              {(id) => (
                <select id={id} value={selected ?? ""} onChange={(event) => update({ [key]: event.target.value || undefined })}>
                  <option value="">any</option>
                  {values.map((value) => (
                    <option key={value} value={value}>
                      {value}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          );
        })}
        <div className="device-list-actions">
          <button type="button" className="button" onClick={clear} disabled={!filtered && !text}>
            Clear
          </button>
          <a className="button" href={`/api/v1/devices/export${exportParams ? `?${exportParams}` : ""}`} download>
            Export CSV
          </a>
        </div>
      </form>

      <p className="device-list-status" role="status" aria-live="polite">
        {list.isError ? (
          <span className="error-text" role="alert">
            Could not load devices: {list.error.message}
          </span>
        ) : total === null ? (
          "Loading devices…"
        ) : (
          <>
            <strong data-testid="device-total">{total.toLocaleString("en-US")}</strong> {total === 1 ? "device matches" : "devices match"}
            {refreshing ? <span className="muted"> · updating…</span> : null}
          </>
        )}
      </p>

      <div
        ref={scrollRef}
        className="device-list-scroller"
        tabIndex={0}
        role="region"
        aria-label="Devices (scrollable)"
        aria-busy={refreshing}
      >
        <table className="device-list-table" style={{ minWidth: TABLE_MIN_WIDTH }} aria-rowcount={total === null ? undefined : total + 1}>
          <colgroup>
            {COLUMNS.map((column) => (
              <col key={column.label} style={{ width: column.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((column) => (
                <th
                  key={column.label}
                  scope="col"
                  className={column.className}
                  aria-sort={column.sort && filter.sort === column.sort ? (filter.dir === "asc" ? "ascending" : "descending") : undefined}
                >
                  {column.sort ? (
                    <SortButton
                      active={filter.sort === column.sort}
                      dir={filter.dir}
                      onClick={() => column.sort && toggleSort(column.sort)}
                    >
                      {column.label}
                    </SortButton>
                  ) : (
                    column.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {paddingTop > 0 ? <tr aria-hidden="true" style={{ height: paddingTop }} /> : null}
            {devices.slice(start, end).map((device, offset) => (
              <tr key={device.id} className="device-list-row" aria-rowindex={start + offset + 2} data-testid="device-row">
                <td>
                  <Link href={deviceHref(device.id)} className="device-id" title={device.id}>
                    {device.id}
                  </Link>
                </td>
                <td>
                  <StateBadge state={device.state} />
                </td>
                <td className="muted">{device.stateOccurredAt ? formatTimestamp(device.stateOccurredAt) : "—"}</td>
                <td className="num">{device.disconnectCount}</td>
                <td>
                  <ReasonTag reason={device.lastReason} />
                </td>
                <td className="mono" title={device.lastCode ?? undefined}>
                  {device.lastCode ?? <span className="muted">—</span>}
                </td>
                <td title={device.source ?? undefined}>{device.source ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
            {paddingBottom > 0 ? <tr aria-hidden="true" style={{ height: paddingBottom }} /> : null}
          </tbody>
        </table>
        {total === 0 ? (
          <p className="empty">
            {applied.query ? (
              "No device ID matches this text with these filters."
            ) : filtered ? (
              "No devices match these filters."
            ) : (
              // A fresh install: "match these filters" with none set reads as a broken filter, not as "nothing sent yet".
              <>
                No device has reported a connection event yet. Devices appear here after their first connect or disconnect: connect a broker
                or a webhook, or import a log file (the <Link href="/">overview</Link> shows how, and the{" "}
                <Link href="/ingest">Ingest page</Link> lists inputs that could not be read).
              </>
            )}
          </p>
        ) : null}
        {isFetchingNextPage ? <p className="device-list-more">Loading more…</p> : null}
      </div>
    </section>
  );
}

// A label beside (not around) its select: wrapped, the selected option's text would join the accessible name.
function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="device-list-field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

function SortButton({
  active,
  dir,
  onClick,
  children,
}: {
  active: boolean;
  dir: "asc" | "desc";
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button type="button" className="device-list-sort" onClick={onClick}>
      {children}
      <span aria-hidden="true" className={active ? undefined : "device-list-sort-idle"}>
        {active && dir === "desc" ? "▼" : "▲"}
      </span>
    </button>
  );
}

function parseOption<T extends string>(value: string, options: readonly T[]): T | undefined {
  return options.find((option) => option === value);
}
