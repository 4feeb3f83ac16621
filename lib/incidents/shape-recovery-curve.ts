export type RecoveryPoint = { offsetMs: number; reconnected: number };
export type RecoveryCurve = { affected: number; reconnected: number; points: RecoveryPoint[] };

/**
 * Devices back online over time after the incident started: one point per step from the start to the last
 * reconnect, at most `maxPoints`. Devices that never reconnected keep the curve below `affected`.
 */
export function shapeRecoveryCurve(startedAt: Date, reconnectedAt: readonly (Date | null)[], maxPoints = 40): RecoveryCurve {
  const offsets = reconnectedAt
    .filter((at): at is Date => at !== null)
    .map((at) => Math.max(0, at.getTime() - startedAt.getTime()))
    .sort((a, b) => a - b);
  const last = offsets[offsets.length - 1];
  if (last === undefined) return { affected: reconnectedAt.length, reconnected: 0, points: [] };
  const step = Math.max(1_000, Math.ceil(last / (maxPoints - 1) / 1_000) * 1_000);
  const points: RecoveryPoint[] = [];
  let index = 0;
  for (let offsetMs = 0; ; offsetMs += step) {
    while (index < offsets.length && (offsets[index] ?? Infinity) <= offsetMs) index++;
    points.push({ offsetMs, reconnected: index });
    if (offsetMs >= last) break;
  }
  return { affected: reconnectedAt.length, reconnected: offsets.length, points };
}
