/**
 * How often live views refetch on their own, for the sliding time window only: new events reach them within
 * a second through the live stream (`meta.live`, components/live-updates-provider.tsx), which also falls back
 * to refetching every 5 s while it is down. Kept outside "use client" modules so server components can import them.
 */
export const FLEET_REFRESH_MS = 30_000;
export const DEVICE_REFRESH_MS = 30_000;
/** Drop markers per range; beyond this the newest are shown and counts are marked as lower bounds. */
export const MAX_DROP_MARKERS = 1000;
export const EVENTS_PAGE_SIZE = 50;
