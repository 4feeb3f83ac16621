import type { AnalysisContext, ReconnectGap } from "./analysis-context.ts";
import { clamp, formatPeriod, formatUtc, median, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

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

/** Retries the backoff analyzers look at: takeover successors are another client, fleet-wide drops are the fleet's. */
export function retriesOf(ctx: AnalysisContext): ReconnectGap[] {
  return ctx.gaps.filter((gap) => gap.drop.reason !== "session_taken_over" && !ctx.fleetWide.has(gap.drop.id));
}

/** Bursts of at least three quick retries whose gaps do not grow: retrying at a steady pace, no backoff. */
export function findFlatBursts(retries: readonly ReconnectGap[]): { bursts: ReconnectGap[][]; flat: ReconnectGap[][] } {
  const bursts = splitBursts(retries).filter((burst) => burst.length >= 3);
  return { bursts, flat: bursts.filter((burst) => !gapsGrow(burst)) };
}

/** Quick retries closer together than this are one episode (one outage, one bad deploy). */
const ONE_EPISODE_MS = 10 * 60_000;
/** A connection that held this long after the retries means the device got over them. */
const RECOVERED_MS = 10 * 60_000;

/** The retries split into episodes: a quiet ONE_EPISODE_MS between two retries starts another. */
function episodesOf(retries: readonly ReconnectGap[]): ReconnectGap[][] {
  const episodes: ReconnectGap[][] = [];
  for (const retry of retries) {
    const current = episodes.at(-1);
    const previous = current?.at(-1);
    if (current && previous && retry.drop.occurredAt.getTime() - previous.next.occurredAt.getTime() <= ONE_EPISODE_MS) current.push(retry);
    else episodes.push([retry]);
  }
  return episodes;
}

/** The first connection made at or after `at` held RECOVERED_MS (up to its end, or the window's end while still open). */
function heldAfter(ctx: AnalysisContext, at: Date): DiagnosisEvent | null {
  const index = ctx.events.findIndex((event) => event.kind === "connected" && event.occurredAt.getTime() >= at.getTime());
  const connect = ctx.events[index];
  if (!connect) return null;
  let end: DiagnosisEvent | undefined;
  for (let next = index + 1; next < ctx.events.length && !end; next += 1)
    if (ctx.events[next]?.kind !== "device_report") end = ctx.events[next];
  const until = end?.occurredAt.getTime() ?? ctx.window.to.getTime();
  return until - connect.occurredAt.getTime() >= RECOVERED_MS ? connect : null;
}

const BACKOFF_ADVICE = "start near 1 s, double each attempt up to 60 s, add random jitter";

/**
 * Sub-second retries are a reconnect storm (critical: they load the broker and can get the device throttled); a
 * steady retry every few seconds is no backoff (a warning: it works, but hammers a broker that is down).
 */
export function detectReconnectStorm(ctx: AnalysisContext): DraftFinding[] {
  const retries = retriesOf(ctx);
  const { bursts, flat } = findFlatBursts(retries);
  // Only quick retries that follow one another are a storm; an isolated 0.5 s first retry is the recommended setting.
  const subSecond = bursts.flat().filter((gap) => gap.gapMs < SUB_SECOND_MS);
  const longest = Math.max(0, ...bursts.map((burst) => burst.length));
  if (subSecond.length >= MIN_STORM_RETRIES) {
    const last = subSecond.at(-1);
    if (!last) return [];
    const medianGap = median(subSecond.map((gap) => gap.gapMs));
    const episodes = episodesOf(subSecond);
    const first = subSecond[0];
    // One episode the device got over (an outage, a bad deploy) shows the missing backoff, not a device storming now.
    const recovered = episodes.length === 1 && first ? heldAfter(ctx, last.next.occurredAt) : null;
    const confidence = clamp(0.65 + 0.25 * Math.min(1, subSecond.length / 30) + (flat.length > 0 ? 0.05 : 0), 0, 0.97);
    const episodeText =
      recovered && first
        ? ` It happened once, ${formatPeriod(last.next.occurredAt.getTime() - first.drop.occurredAt.getTime())} from ${formatUtc(first.drop.occurredAt)}, and the connection made after it held: harmless this time, but the same client retries as fast against a broker that is down.`
        : "";
    return [
      {
        analyzer: "reconnect-storm",
        title: recovered ? "Retries without backoff, in one episode" : "Reconnect storm without backoff",
        verdict: `Retries ${subSecond.length} times within 1 s of the previous failure (median gap ${formatPeriod(medianGap)}) in ${Math.max(1, bursts.length)} burst${bursts.length > 1 ? "s" : ""} of up to ${longest} retries; the gaps do not grow: no backoff.${episodeText}`,
        severity: recovered ? "warning" : "critical",
        confidence: recovered ? Math.min(confidence, 0.7) : confidence,
        evidence: {
          eventIds: subSecond.flatMap((gap) => [gap.drop.id, gap.next.id]),
          stats: {
            subSecondRetries: subSecond.length,
            bursts: bursts.length,
            burstsWithoutBackoff: flat.length,
            longestBurst: longest,
            medianGapMs: Math.round(medianGap),
            episodes: episodes.length,
          },
          range: rangeAround(last.drop.occurredAt, last.next.occurredAt, 2 * 60_000),
        },
        codes: ["mqtt5:0x9F", ...new Set(subSecond.map((gap) => gap.drop.code).filter((code): code is string => code !== null))],
        steps: [
          { text: `Back off exponentially: ${BACKOFF_ADVICE}`, check: "reconnect-backoff" },
          { text: "After about 5 failed attempts, reconnect with freshly generated credentials", check: "credentials-accepted" },
          { text: "Find why the connection dies right after connecting (crash on connect, rejected subscription)", check: "manual" },
        ],
      },
    ];
  }
  const steady = flat.flat();
  const last = steady.at(-1);
  if (!last) return [];
  const medianGap = median(steady.map((gap) => gap.gapMs));
  return [
    {
      analyzer: "no-backoff",
      title: "No exponential backoff",
      verdict: `Retries every ${formatPeriod(medianGap)} after a failure, ${steady.length} times in ${flat.length} burst${flat.length > 1 ? "s" : ""}, without waiting longer each time: no exponential backoff. Recommended: ${BACKOFF_ADVICE}.`,
      severity: "warning",
      confidence: clamp(0.5 + 0.3 * Math.min(1, steady.length / 30), 0, 0.85),
      evidence: {
        eventIds: steady.flatMap((gap) => [gap.drop.id, gap.next.id]),
        stats: { retries: steady.length, burstsWithoutBackoff: flat.length, longestBurst: longest, medianGapMs: Math.round(medianGap) },
        range: rangeAround(last.drop.occurredAt, last.next.occurredAt, 2 * 60_000),
      },
      codes: [],
      steps: [{ text: `Back off exponentially: ${BACKOFF_ADVICE}`, check: "reconnect-backoff" }],
    },
  ];
}
