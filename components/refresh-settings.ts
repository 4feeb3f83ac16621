/** How often live views refetch. Kept outside "use client" modules so server components can import them too. */
export const FLEET_REFRESH_MS = 5000;
export const DEVICE_REFRESH_MS = 5000;
/** Drop markers per range; beyond this the newest are shown and counts are marked as lower bounds. */
export const MAX_DROP_MARKERS = 1000;
export const EVENTS_PAGE_SIZE = 50;
