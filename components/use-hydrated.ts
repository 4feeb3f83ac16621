import { useSyncExternalStore } from "react";

const subscribeToNothing = () => () => {};

/**
 * False in the server's render and in the browser's hydrating render, true from the browser's next render on. What
 * only the browser knows (a refetch in flight, its clock) must wait for it: rendered during hydration it differs
 * from the server's HTML and React discards the page's markup (error #418).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}
