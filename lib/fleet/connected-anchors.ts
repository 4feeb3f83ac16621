import { binStarts } from "./fleet-interval.ts";
import type { TimeRange } from "./split-at-buckets.ts";

/** The gauge known exactly at an instant: an hourly snapshot (the sum of every delta before `at`). */
export type ConnectedAnchor = { at: Date; connected: number };

type Bin = { start: number; end: number; anchor: ConnectedAnchor | undefined };

/**
 * Pure: the bins of [from, to) by `stepMs`, each ending at its end or at `to`, with the latest anchor inside it
 * (start < at ≤ end): from there on, only the deltas after the anchor are needed.
 */
function binsWithAnchors(range: TimeRange, stepMs: number, anchors: readonly ConnectedAnchor[]): Bin[] {
  const sorted = [...anchors].sort((a, b) => a.at.getTime() - b.at.getTime());
  let next = 0;
  return binStarts(range, stepMs).map((start) => {
    const end = Math.min(start + stepMs, range.to.getTime());
    let anchor: ConnectedAnchor | undefined;
    for (; next < sorted.length && (sorted[next] as ConnectedAnchor).at.getTime() <= end; next += 1) {
      const candidate = sorted[next] as ConnectedAnchor;
      if (candidate.at.getTime() > start) anchor = candidate;
    }
    return { start, end, anchor };
  });
}

/**
 * Pure: the minute ranges whose deltas a connected series still needs once the anchors are known: in each bin, the
 * deltas after its latest anchor (none when an anchor falls on the bin's end), or the whole bin without one.
 * Adjacent ranges are merged, so hourly bins over hourly snapshots need only the minutes after the newest snapshot.
 */
export function connectedDeltaRanges(range: TimeRange, stepMs: number, anchors: readonly ConnectedAnchor[]): TimeRange[] {
  const ranges: { from: number; to: number }[] = [];
  for (const bin of binsWithAnchors(range, stepMs, anchors)) {
    const from = bin.anchor ? bin.anchor.at.getTime() : bin.start;
    if (from >= bin.end) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.to === from) last.to = bin.end;
    else ranges.push({ from, to: bin.end });
  }
  return ranges.map((r) => ({ from: new Date(r.from), to: new Date(r.to) }));
}

/**
 * Pure: the connected count at the end of each bin (the last one: at `to`) from the count before the first bin,
 * the anchors, and the deltas summed per bin over connectedDeltaRanges' ranges only.
 */
export function connectedAtBinEnds(
  base: number,
  binDeltas: ReadonlyMap<number, number>,
  range: TimeRange,
  stepMs: number,
  anchors: readonly ConnectedAnchor[],
): { t: string; connected: number }[] {
  let running = base;
  return binsWithAnchors(range, stepMs, anchors).map((bin) => {
    running = (bin.anchor ? bin.anchor.connected : running) + (binDeltas.get(bin.start) ?? 0);
    return { t: new Date(bin.start).toISOString(), connected: running };
  });
}
