/** A whole new view state, or a change to the state the address holds when the change is written. */
export type UrlStateUpdate<T> = T | ((current: T) => T);

const isUpdater = <T>(update: UrlStateUpdate<T>): update is (current: T) => T => typeof update === "function";

/**
 * The state to write for `update`. An updater is applied to the state parsed from `currentSearch`, the address at
 * write time, not to a state captured at render: a write made since (a filter chosen while the search was still
 * debounced) is in the address before the router renders it, and a render-time snapshot would write it away.
 */
export function applyUrlStateUpdate<T>(update: UrlStateUpdate<T>, currentSearch: string, parse: (params: URLSearchParams) => T): T {
  return isUpdater(update) ? update(parse(new URLSearchParams(currentSearch))) : update;
}
