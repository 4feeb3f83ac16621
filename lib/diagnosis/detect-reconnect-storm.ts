import type { AnalysisContext, ReconnectGap } from "./analysis-context.ts";
import { clamp, formatPeriod, median, rangeAround } from "./statistics.ts";
import type { DraftFinding } from "./types.ts";

/** A retry this soon after a drop or refusal is not backing off. */
export const SUB_SECOND_MS = 1_000;
/** Consecutive retries closer than this belong to one burst. */
const BURST_GAP_MS = 10_000;
export const MIN_STORM_RETRIES = 5;

/** Splits retry gaps into bursts of consecutive quick retries. */
export function splitBursts(gaps: readonly ReconnectGap[]): ReconnectGap[][] {
  const bursts: ReconnectGap[][] = [];
  let current: ReconnectGap[] = [];
  for (const gap of gaps) {
    const previous = current.at(-1);
    const continues = previous !== undefined && gap.drop.occurredAt.getTime() - previous.next.occurredAt.getTime() < BURST_GAP_MS;
    if (gap.gapMs < BURST_GAP_MS && (current.length === 0 || continues)) {
      current.push(gap);
    } else {
      if (current.length > 0) bursts.push(current);
      current = gap.gapMs < BURST_GAP_MS ? [gap] : [];
    }
  }
  if (current.length > 0) bursts.push(current);
  return bursts;
}

/** True when the gaps inside a burst grow (each retry waits noticeably longer than the one before). */
export function gapsGrow(burst: readonly ReconnectGap[]): boolean {
  if (burst.length < 3) return true;
  const ratios = burst.slice(1).map((gap, index) => gap.gapMs / Math.max(1, burst[index]?.gapMs ?? 1));
  return median(ratios) >= 1.5;
}

/** Reconnect storms: sub-second retries, gaps that do not grow. Takeover successors are another client, not a retry. */
export function detectReconnectStorm(ctx: AnalysisContext): DraftFinding[] {
  const retries = ctx.gaps.filter((gap) => gap.drop.reason !== "session_taken_over" && !ctx.fleetWide.has(gap.drop.id));
  const subSecond = retries.filter((gap) => gap.gapMs < SUB_SECOND_MS);
  const bursts = splitBursts(retries).filter((burst) => burst.length >= 3);
  const flat = bursts.filter((burst) => !gapsGrow(burst));
  if (subSecond.length < MIN_STORM_RETRIES && flat.length === 0) return [];
  const evidenceGaps = subSecond.length >= MIN_STORM_RETRIES ? subSecond : flat.flat();
  const last = evidenceGaps.at(-1);
  if (!last) return [];
  const medianGap = median(evidenceGaps.map((gap) => gap.gapMs));
  const longest = Math.max(0, ...bursts.map((burst) => burst.length));
  return [
    {
      analyzer: "reconnect-storm",
      title: "Reconnect storm without backoff",
      verdict: `Retries ${evidenceGaps.length} times within ${medianGap < SUB_SECOND_MS ? "1 s" : "seconds"} of the previous failure (median gap ${formatPeriod(medianGap)}) in ${Math.max(1, bursts.length)} burst${bursts.length > 1 ? "s" : ""} of up to ${longest} retries; the gaps do not grow: no backoff.`,
      severity: "critical",
      confidence: clamp(0.65 + 0.25 * Math.min(1, evidenceGaps.length / 30) + (flat.length > 0 ? 0.05 : 0), 0, 0.97),
      evidence: {
        eventIds: evidenceGaps.flatMap((gap) => [gap.drop.id, gap.next.id]),
        stats: { subSecondRetries: subSecond.length, bursts: bursts.length, burstsWithoutBackoff: flat.length, longestBurst: longest, medianGapMs: Math.round(medianGap) },
        range: rangeAround(last.drop.occurredAt, last.next.occurredAt, 2 * 60_000),
      },
      codes: ["mqtt5:0x9F", ...new Set(evidenceGaps.map((gap) => gap.drop.code).filter((code): code is string => code !== null))],
      steps: [
        { text: "Back off exponentially: start near 0.5–1 s, double each attempt, cap at 60 s, add random jitter", check: "reconnect-backoff" },
        { text: "After about 5 failed attempts, reconnect with freshly generated credentials", check: "credentials-accepted" },
        { text: "Find why the connection dies right after connecting (crash on connect, rejected subscription)", check: "manual" },
      ],
    },
  ];
}
