/**
 * The before / after spans the rollout view offers, in hours: the fold keeps every device's periods for these
 * (rollout_device_period, decision 032); another span is computed from the per-device rollups when asked.
 */
export const ROLLOUT_SPANS = [6, 24, 72, 168] as const;
