"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeviceSearchPage } from "@/lib/queries/search-devices.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { fetchJson } from "./fetch-json.ts";
import { useDebouncedValue } from "./use-debounced-value.ts";
import { StateBadge } from "./state-badge.tsx";

const SUGGESTION_LIMIT = 8;

function resultsHref(query: string, jump: boolean): string {
  const params = new URLSearchParams({ query });
  if (jump) params.set("jump", "1");
  return `/devices?${params.toString()}`;
}

/**
 * Device ID search as an ARIA combobox: typing suggests matching IDs; Enter opens the highlighted
 * suggestion, or the results list (which jumps straight to the device on an exact match).
 * Without JavaScript the form still submits to /devices.
 */
export function DeviceSearch({ defaultValue = "", autoFocus = false }: { defaultValue?: string; autoFocus?: boolean }) {
  const router = useRouter();
  const listId = useId();
  const [text, setText] = useState(defaultValue);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const query = useDebouncedValue(text.trim(), 150);

  const { data, isFetching, isError } = useQuery({
    queryKey: ["device-search", query],
    queryFn: ({ signal }) =>
      fetchJson<Jsonify<DeviceSearchPage>>(
        `/api/v1/devices?${new URLSearchParams({ query, limit: String(SUGGESTION_LIMIT) }).toString()}`,
        signal,
      ),
    enabled: query.length > 0,
    staleTime: 10_000,
  });
  const suggestions = query.length > 0 && query === text.trim() ? (data?.devices ?? []) : [];
  const expanded = open && text.trim().length > 0;

  function openDevice(deviceId: string) {
    setOpen(false);
    router.push(deviceHref(deviceId));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = active >= 0 ? suggestions[active] : undefined;
    if (chosen) return openDevice(chosen.id);
    const value = text.trim();
    if (!value) return;
    setOpen(false);
    router.push(resultsHref(value, true));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, suggestions.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, -1));
    } else if (event.key === "Escape") {
      setOpen(false);
      setActive(-1);
    }
  }

  return (
    <div className="search">
      <form className="search-form" role="search" action="/devices" method="get" onSubmit={onSubmit}>
        <label htmlFor={`${listId}-input`} className="visually-hidden">
          Device ID
        </label>
        <input
          id={`${listId}-input`}
          name="query"
          type="search"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          autoFocus={autoFocus}
          placeholder="Search a device ID, e.g. sensor-042 or plant 7/line#2"
          value={text}
          aria-expanded={expanded}
          aria-controls={`${listId}-list`}
          aria-autocomplete="list"
          aria-activedescendant={active >= 0 && suggestions[active] ? `${listId}-option-${active}` : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        <input type="hidden" name="jump" value="1" />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {expanded ? (
        <ul id={`${listId}-list`} role="listbox" aria-label="Matching devices" className="suggestions">
          {suggestions.map((device, index) => (
            <li
              key={device.id}
              id={`${listId}-option-${index}`}
              role="option"
              aria-selected={index === active}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(event) => {
                event.preventDefault();
                openDevice(device.id);
              }}
              onMouseEnter={() => setActive(index)}
            >
              <span className="device-id">{device.id}</span>
              <StateBadge state={device.state} />
            </li>
          ))}
          {suggestions.length === 0 ? (
            <li className="suggestion-note" role="presentation">
              {isError
                ? "Search failed; press Enter to try the results page."
                : isFetching || query !== text.trim()
                  ? "Searching…"
                  : "No device ID contains this text."}
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
