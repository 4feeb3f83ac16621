"use client";

import { createContext, Fragment, useContext, useEffect, useState, type ReactNode } from "react";
import { normalizeTimeZone, UTC_ZONE, type TimeLike } from "@/lib/time/format-instant.ts";
import { formatTimestamp, localizeSentence, setViewerTimeZone, timeZoneLabel } from "./format.ts";

const STORAGE_KEY = "linkscope:times-in-utc";

type TimeZoneState = { timeZone: string; utc: boolean; setUtc(utc: boolean): void };

const TimeZoneContext = createContext<TimeZoneState>({ timeZone: UTC_ZONE, utc: true, setUtc: () => {} });

function browserTimeZone(): string {
  return normalizeTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
}

function readUtcPreference(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === "1";
  } catch {
    return false;
  }
}

/**
 * Times in the viewer's zone, or UTC when they chose so (remembered in localStorage). The server renders UTC; after
 * hydration the page content (ZonedContent) is re-rendered once in the chosen zone, so hydration never sees two texts.
 */
export function TimeZoneProvider({ children }: { children: ReactNode }) {
  const [utc, setUtcState] = useState(true);
  const [timeZone, setTimeZone] = useState(UTC_ZONE);

  useEffect(() => {
    // After the whole streamed document is in: a panel still hydrating must see the zone the server rendered.
    const apply = () => {
      const preferUtc = readUtcPreference();
      setUtcState(preferUtc);
      setTimeZone(preferUtc ? UTC_ZONE : browserTimeZone());
    };
    if (document.readyState === "complete") {
      apply();
      return;
    }
    window.addEventListener("load", apply, { once: true });
    return () => window.removeEventListener("load", apply);
  }, []);

  function setUtc(next: boolean) {
    try {
      window.localStorage.setItem(STORAGE_KEY, next ? "1" : "0");
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setUtcState(next);
    setTimeZone(next ? UTC_ZONE : browserTimeZone());
  }

  return <TimeZoneContext.Provider value={{ timeZone, utc, setUtc }}>{children}</TimeZoneContext.Provider>;
}

/** The page content, re-rendered from scratch when the zone changes: every formatted time below follows it. */
export function ZonedContent({ children }: { children: ReactNode }) {
  const { timeZone } = useTimeZone();
  // Switched only in the render that replaces the content: until then, hydration formats as the server did (UTC).
  setViewerTimeZone(timeZone);
  return <Fragment key={timeZone}>{children}</Fragment>;
}

export function useTimeZone(): TimeZoneState {
  return useContext(TimeZoneContext);
}

/** Header switch between the viewer's own zone and UTC. */
export function TimeZoneToggle() {
  const { utc, setUtc, timeZone } = useTimeZone();
  return (
    <button
      type="button"
      className="time-zone-toggle"
      aria-pressed={utc}
      title={utc ? "Times are in UTC; press to show your local time" : `Times are in your zone (${timeZone}); press to show UTC`}
      onClick={() => setUtc(!utc)}
    >
      <span className="visually-hidden">Show times in UTC</span>
      <span aria-hidden="true">UTC</span>
    </button>
  );
}

/** One timestamp in the viewer's zone, for server components. */
export function LocalTime({ value, milliseconds }: { value: TimeLike; milliseconds?: boolean }) {
  useTimeZone();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <>—</>;
  return <time dateTime={date.toISOString()}>{formatTimestamp(date, { milliseconds })}</time>;
}

/** A sentence built in UTC (a diagnosis verdict, a notice), its timestamps shown in the viewer's zone. */
export function LocalizedText({ text }: { text: string }) {
  useTimeZone();
  return <>{localizeSentence(text)}</>;
}

/** `UTC` or `UTC+1`, for column headings. */
export function TimeZoneLabel() {
  useTimeZone();
  return <>{timeZoneLabel()}</>;
}
