"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { applyUrlStateUpdate, type UrlStateUpdate } from "@/lib/url-state/url-state-update.ts";

/** `push` for a step worth going Back to (a new range, a drill-down); `replace` for typing and filters. */
export type UrlWrite = "push" | "replace";

/**
 * THE client URL state: a view's state lives in the query string, so a reload or a shared link shows the same view.
 * Read through `useSearchParams`; written with the History API, which Next's router picks up (`useSearchParams`
 * re-renders) without asking the server to render the page again. `parse` and `serialize` must be stable
 * (module-level functions): the parsed state is memoised on them.
 *
 * Write a change as an updater, `set((current) => ({ ...current, filter }))`: it applies to the address as it is
 * when written, which may hold another write the router has not rendered yet. A whole state replaces everything.
 */
export function useUrlState<T>(
  parse: (params: URLSearchParams) => T,
  serialize: (state: T) => URLSearchParams,
): [T, (update: UrlStateUpdate<T>, mode?: UrlWrite) => void] {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const state = useMemo(() => parse(new URLSearchParams(searchParams.toString())), [parse, searchParams]);
  const setState = useCallback(
    (update: UrlStateUpdate<T>, mode: UrlWrite = "replace") => {
      const query = serialize(applyUrlStateUpdate(update, window.location.search, parse)).toString();
      const url = query ? `${pathname}?${query}` : pathname;
      if (`${window.location.pathname}${window.location.search}` === url) return;
      if (mode === "push") window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [pathname, parse, serialize],
  );
  return [state, setState];
}
