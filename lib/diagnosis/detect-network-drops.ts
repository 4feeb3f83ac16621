import type { Reason } from "@/lib/events/connection-event.ts";
import { uptimesOf, type AnalysisContext } from "./analysis-context.ts";
import { SYSTEM_LOG_KIND_LABELS, type SystemLogEventKind } from "@/lib/device-evidence/system-log-lines.ts";
import { recogniseRateLimiting } from "@/lib/sources/rate-limit-reasons.ts";
import { readTakeoverPattern } from "./detect-client-id-takeover.ts";
import {
  binomialTail,
  clamp,
  firstAtOrAfter,
  formatPeriod,
  maxExponentialWindowProbability,
  median,
  quantile,
  rangeAround,
  robustSpread,
} from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";
import { RECOMMENDED_KEEPALIVE_SEC, type KeepaliveAdvice } from "@/lib/knowledge/keepalive-steps.ts";

/** Keepalive expiries have their own, more specific finding (detectKeepaliveProblems). */
const IRREGULAR_REASONS: ReadonlySet<Reason> = new Set(["connection_lost", "unknown"]);
/** Below this many network drops per day a device is healthy enough not to call its drops a problem. */
export const MIN_IRREGULAR_DROPS_PER_DAY = 2;
export const MIN_IRREGULAR_DROPS = 3;
/** Spread / median of uptimes from which intervals are called irregular (exponential intervals sit near 1). */
export const IRREGULAR_VARIATION = 0.3;
export { RECOMMENDED_KEEPALIVE_SEC };
/**
 * NATs forget idle flows after 240–600 s per the field guides, some carrier NATs far sooner: a keepalive at or above
 * the lower bound is too long even without drops to show for it.
 */
export const NAT_IDLE_TIMEOUT_MIN_SEC = 240;
export const NAT_IDLE_TIMEOUT_MAX_SEC = 600;
/**
 * Fewest drops a NAT could have caused before a long keepalive is a warning. Without them it is advice (info): the
 * device is not dropping, so its traffic keeps the flow alive or no NAT is on the path; one drop is an incident.
 */
export const MIN_KEEPALIVE_NAT_DROPS = 2;
/** Connections shorter than this die of something else than an idle NAT mapping. */
export const NAT_MIN_UPTIME_MS = 10_000;
/** Fewest NAT-symptom drops with a known uptime from which their uptimes are read as the NAT's idle window. */
export const MIN_NAT_WINDOW_DROPS = 5;
/** Robust spread / median of those uptimes at most: a NAT cuts every connection after about the same quiet spell. */
export const NAT_WINDOW_VARIATION = 0.5;
/** Share of those drops that may come sooner than the window (another cause) without shortening it. */
const NAT_WINDOW_QUANTILE = 0.1;
/** Largest chance that random uptimes of the same median last the window as often as the drops did. */
export const MAX_CHANCE_OF_NAT_WINDOW = 1e-3;
const MIN_KEEPALIVE_SEC = 5;

/** The keepalive to recommend, and the NAT idle window the device's own drops show when they show one. */
export type KeepaliveTarget = KeepaliveAdvice;

/**
 * The field guides' 60 s, unless the device's drops show a NAT that forgets idle flows sooner. A flow the NAT forgot
 * had been idle for at least the NAT's timeout and never longer than the connection had lasted, so when the
 * NAT-symptom drops all come after about the same uptime, the NAT's window is at most the shortest of them (a low
 * quantile, so one drop of another cause does not shorten it), and half of that keeps the flow alive with a margin.
 * Uptimes spread at random (Wi-Fi, cellular) show no window, and a keepalive inside the window rules the NAT out:
 * the default stands. Only the connections made since the keepalive last changed count (decision 065).
 */
export function keepaliveTarget(ctx: AnalysisContext): KeepaliveTarget {
  // Asked by two analyzers, every keepalive check and the summary: read the drops once per diagnosis.
  let target = keepaliveTargets.get(ctx);
  if (!target) keepaliveTargets.set(ctx, (target = readKeepaliveTarget(ctx)));
  return target;
}

const keepaliveTargets = new WeakMap<AnalysisContext, KeepaliveTarget>();

/** Connections made while the device asked for one keepalive, from `startsAt` (ms) until the next change. */
type KeepaliveRegime = { keepaliveSec: number; startsAt: number; endsAt: number };

/**
 * The device's current keepalive regime and the one before it, from the keepalive its connects ask for (a firmware
 * update, a new configuration). Connects that do not report it change nothing. The first regime in the window also
 * takes the connections before its first connect; with no keepalive reported, there is one regime of everything.
 */
function readKeepaliveRegimes(ctx: AnalysisContext): { current: KeepaliveRegime | null; previous: KeepaliveRegime | null } {
  const regimes: KeepaliveRegime[] = [];
  for (const connect of ctx.connects) {
    const { keepaliveSec } = connect;
    const last = regimes.at(-1);
    if (keepaliveSec === null || keepaliveSec === last?.keepaliveSec) continue;
    const startsAt = last ? connect.occurredAt.getTime() : -Infinity;
    if (last) last.endsAt = startsAt;
    regimes.push({ keepaliveSec, startsAt, endsAt: Infinity });
  }
  return { current: regimes.at(-1) ?? null, previous: regimes.at(-2) ?? null };
}

function readKeepaliveTarget(ctx: AnalysisContext): KeepaliveTarget {
  const { current, previous } = readKeepaliveRegimes(ctx);
  const now = natUptimesIn(ctx, current);
  const keepalive = ctx.lastKeepaliveSec;
  if (!previous || now.length >= MIN_NAT_WINDOW_DROPS) return targetFor(readNatWindowSec(now), keepalive);
  // Too few drops at the current keepalive to show a window of their own: the previous keepalive's window stands
  // only while each of them came after it (one that came sooner means another NAT, or another cause: no window).
  const before = targetFor(readNatWindowSec(natUptimesIn(ctx, previous)), previous.keepaliveSec).natWindowSec;
  if (before === null || now.some((uptime) => uptime < before * 1000)) return DEFAULT_TARGET;
  return targetFor(before, keepalive);
}

const DEFAULT_TARGET: KeepaliveTarget = { keepaliveSec: RECOMMENDED_KEEPALIVE_SEC, natWindowSec: null };

/**
 * The NAT window NAT-symptom drops show (decision 049), in seconds, or null when they show none. Against chance, as
 * periods are: random (exponential) uptimes of the same median also last "at least" their own 10th percentile nine
 * times in ten, so a window stands only when that many lasting it would be unlikely for them (5 random drops with a
 * median of minutes read as "a NAT that forgets within 15 s" before).
 */
function readNatWindowSec(uptimes: readonly number[]): number | null {
  if (uptimes.length < MIN_NAT_WINDOW_DROPS) return null;
  const typical = median(uptimes);
  if (robustSpread(uptimes) / typical > NAT_WINDOW_VARIATION) return null;
  const windowMs = quantile(uptimes, NAT_WINDOW_QUANTILE);
  const lasting = uptimes.filter((uptime) => uptime >= windowMs).length;
  const chanceOfLasting = binomialTail(uptimes.length, lasting, 2 ** (-windowMs / typical));
  // Or as tightly clustered as a period's drops (a NAT resetting the first message after each quiet spell).
  const halfWidth = Math.max(3 * robustSpread(uptimes), 0.05 * typical);
  const clustered = uptimes.filter((uptime) => Math.abs(uptime - typical) <= halfWidth).length;
  // Only a cluster the window belongs to speaks for it: a 20 min timer's cluster says nothing of a 15 s "window".
  const chanceOfCluster =
    windowMs >= typical - halfWidth ? binomialTail(uptimes.length, clustered, maxExponentialWindowProbability(halfWidth / typical)) : 1;
  if (Math.min(chanceOfLasting, chanceOfCluster) > MAX_CHANCE_OF_NAT_WINDOW) return null;
  const windowSec = Math.floor(windowMs / 1000);
  return windowSec >= 2 * RECOMMENDED_KEEPALIVE_SEC ? null : windowSec;
}

function targetFor(windowSec: number | null, keepalive: number | null): KeepaliveTarget {
  if (windowSec === null) return DEFAULT_TARGET;
  // A keepalive inside the window pings before such a NAT forgets the flow: these drops are not its doing (a timer).
  if (keepalive !== null && keepalive > 0 && keepalive <= windowSec) return DEFAULT_TARGET;
  return { keepaliveSec: Math.max(MIN_KEEPALIVE_SEC, Math.floor(windowSec / 2 / 5) * 5), natWindowSec: windowSec };
}

/** Uptimes (ms) of the NAT-symptom drops of connections made in `regime` (all of them when null). */
function natUptimesIn(ctx: AnalysisContext, regime: KeepaliveRegime | null): number[] {
  const natDropIds = new Set(natSymptomDrops(ctx, new Set(), regime).map((drop) => drop.id));
  return ctx.uptimes.filter((uptime) => natDropIds.has(uptime.drop.id)).map((uptime) => uptime.durationMs);
}

/** A device report this long before a drop counts as "during a system event". */
export const SYSTEM_EVENT_WINDOW_MS = 2 * MINUTE_MS;

/** Irregular drops at a steady rate: network, NAT or Wi-Fi rather than a timer. */
export function detectIrregularDrops(ctx: AnalysisContext, excluded: ReadonlySet<string>): DraftFinding[] {
  const drops = ctx.deviceDrops.filter((drop) => IRREGULAR_REASONS.has(drop.reason) && !excluded.has(drop.id));
  const perDay = drops.length / ctx.spanDays;
  if (drops.length < MIN_IRREGULAR_DROPS || perDay < MIN_IRREGULAR_DROPS_PER_DAY) return [];
  const uptimes = uptimesOf(ctx, drops).map((uptime) => uptime.durationMs);
  const typical = uptimes.length > 0 ? median(uptimes) : (ctx.spanDays * 86_400_000) / drops.length;
  const variation = uptimes.length > 1 ? robustSpread(uptimes) / typical : 1;
  if (variation < IRREGULAR_VARIATION) return []; // steady: a timer's case, whether or not it passes as a period
  const known = ctx.connects.filter((event) => event.clientIp !== null);
  const addresses = new Set(known.map((event) => event.clientIp));
  const ipChanges = known.filter((event, index) => index > 0 && event.clientIp !== known[index - 1]?.clientIp).length;
  const first = drops[0];
  const last = drops.at(-1);
  if (!first || !last) return [];
  const codes = [...new Set(drops.map((drop) => drop.code).filter((code): code is string => code !== null))];
  const target = keepaliveTarget(ctx);
  const ipText = ipChanges > 0 ? `; the address changed ${ipChanges} times (carrier NAT, roaming or DHCP)` : "";
  return [
    {
      analyzer: "irregular-drops",
      title: "Irregular drops (network, NAT or Wi-Fi)",
      verdict: `${drops.length} drops at irregular intervals (${perDay.toFixed(1)} a day, typical uptime ${formatPeriod(typical)})${ipText}: the network path (Wi-Fi, cellular, NAT) rather than a server timer.`,
      severity: "warning",
      // Leftovers beside a finding that explains most drops (a period) never outrank it.
      confidence: clamp(
        0.45 + 0.35 * Math.min(1, drops.length / 20) + 0.1 * Math.min(1, variation),
        0,
        drops.length * 2 < ctx.deviceDrops.length ? 0.6 : 1,
      ),
      evidence: {
        eventIds: drops.map((drop) => drop.id),
        stats: {
          drops: drops.length,
          dropsPerDay: Math.round(perDay * 10) / 10,
          typicalUptimeSec: Math.round(typical / 1000),
          variation: Math.round(variation * 100) / 100,
          addresses: addresses.size,
          ipChanges,
        },
        range: rangeAround(last.occurredAt),
      },
      codes,
      steps: [
        {
          text: `Keep the keepalive at ${target.keepaliveSec} s so NAT mappings stay open (${natWindowText(target)})`,
          check: "keepalive-within-nat-timeout",
        },
        {
          text: "Check signal strength, Wi-Fi roaming, DHCP renewals and power save on the device around the drop times",
          check: "stable-network",
        },
        { text: "Reconnect with backoff starting near 0.5–1 s, doubling to a 60 s cap, with jitter", check: "reconnect-backoff" },
      ],
    },
  ];
}

/** Why the keepalive target is what it is, in the words of the evidence. */
export function natWindowText(target: KeepaliveTarget): string {
  return target.natWindowSec === null
    ? `NATs forget idle flows after ${NAT_IDLE_TIMEOUT_MIN_SEC}–${NAT_IDLE_TIMEOUT_MAX_SEC} s, some carrier NATs sooner`
    : `this device's drops show a NAT that forgets idle flows within about ${target.natWindowSec} s`;
}

/**
 * Drops a forgotten NAT mapping produces: the link dies silently, or the device's reconnect takes its own session
 * over. Only after the connection lasted NAT_MIN_UPTIME_MS: a connection that dies within seconds of connecting (a
 * crash loop) was never idle long enough for a NAT to forget it, while carrier NATs can forget a flow within a minute.
 */
function natSymptomDrops(ctx: AnalysisContext, excluded: ReadonlySet<string>, regime: KeepaliveRegime | null): DiagnosisEvent[] {
  // Takeovers that swap between addresses are the duplicate-ID analyzer's case, not a NAT's; an address that
  // changed once (or history from another network) still leaves the device's own fast reconnects.
  const ownTakeovers = readTakeoverPattern(ctx).ownReconnects;
  const uptimeOf = uptimeByDrop(ctx);
  const inRegime = madeInRegime(ctx, regime);
  return ctx.deviceDrops.filter((drop) => {
    if (excluded.has(drop.id)) return false;
    const symptom =
      drop.reason === "connection_lost" ||
      drop.reason === "keepalive_timeout" ||
      drop.reason === "unknown" ||
      (ownTakeovers && drop.reason === "session_taken_over");
    const uptime = uptimeOf.get(drop.id);
    return symptom && inRegime(drop) && (uptime === undefined || uptime >= NAT_MIN_UPTIME_MS);
  });
}

/** How long each drop's connection had lasted (ms), by drop ID; read by every analyzer here, built once per diagnosis. */
function uptimeByDrop(ctx: AnalysisContext): ReadonlyMap<string, number> {
  let uptimes = uptimesByDrop.get(ctx);
  if (!uptimes) uptimesByDrop.set(ctx, (uptimes = new Map(ctx.uptimes.map((uptime) => [uptime.drop.id, uptime.durationMs]))));
  return uptimes;
}

const uptimesByDrop = new WeakMap<AnalysisContext, ReadonlyMap<string, number>>();

/** Whether a drop's connection was made in `regime` (every drop when null). */
function madeInRegime(ctx: AnalysisContext, regime: KeepaliveRegime | null): (drop: DiagnosisEvent) => boolean {
  if (!regime) return () => true;
  const uptimeOf = uptimeByDrop(ctx);
  return (drop) => {
    // A drop belongs to the regime its connection was made in; without a known connect, to the one it happened in.
    const connectedAt = drop.occurredAt.getTime() - (uptimeOf.get(drop.id) ?? 0);
    return connectedAt >= regime.startsAt && connectedAt < regime.endsAt;
  };
}

/** Keepalive longer than NAT idle timeouts, and keepalive expiries with the broker's 1.5 × detection delay. */
export function detectKeepaliveProblems(ctx: AnalysisContext, excluded: ReadonlySet<string> = new Set()): DraftFinding[] {
  const findings: DraftFinding[] = [];
  const keepalive = ctx.lastKeepaliveSec;
  const lastConnect = ctx.connects.findLast((event) => event.keepaliveSec !== null);
  // The drops made at the current keepalive: the verdict pairs their count with it (decision 065).
  const regimes = readKeepaliveRegimes(ctx);
  const regime = regimes.current;
  const natDrops = natSymptomDrops(ctx, excluded, regime);
  const target = keepaliveTarget(ctx);
  const targetSec = target.keepaliveSec;
  // 0 disables the keepalive: no pings at all, longer than any keepalive, and the broker never times the link out.
  const disabled = keepalive === 0;
  if (
    keepalive !== null &&
    (disabled || keepalive > targetSec) &&
    lastConnect &&
    (natDrops.length > 0 || disabled || keepalive >= NAT_IDLE_TIMEOUT_MIN_SEC)
  ) {
    const detection = Math.round(keepalive * 1.5);
    const asks = disabled ? "The device disables the keepalive (0 s)" : `The device asks for a ${keepalive} s keepalive`;
    const noticed = disabled ? "the broker never notices a dead connection on its own" : `the broker notices only after ${detection} s`;
    const between = disabled ? "with no pings" : "between pings";
    const range = `NATs forget idle flows after ${NAT_IDLE_TIMEOUT_MIN_SEC}–${NAT_IDLE_TIMEOUT_MAX_SEC} s, some carrier NATs far sooner`;
    const codes = [...new Set(natDrops.map((drop) => drop.code).filter((code): code is string => code !== null))];
    const lastDrop = natDrops.at(-1);
    findings.push(
      natDrops.length > 0
        ? {
            analyzer: "keepalive-too-long",
            title: "Keepalive too long for the NAT on the path",
            verdict:
              target.natWindowSec === null
                ? `${asks} and dropped ${natDrops.length} time${natDrops.length === 1 ? "" : "s"} on its own (not with the fleet): ${range}, so a quiet connection is forgotten ${between} and ${noticed}. Set the keepalive to ${targetSec} s. The events alone cannot tell this from a network that drops for other reasons; drops that stop at a ${targetSec} s keepalive, or that come after quiet spells, confirm the NAT.`
                : `${asks} and dropped ${natDrops.length} time${natDrops.length === 1 ? "" : "s"} on its own (not with the fleet), nearly always after ${target.natWindowSec} s connected or more: a NAT on the path forgets idle flows within about ${target.natWindowSec} s, far sooner than the ${NAT_IDLE_TIMEOUT_MIN_SEC}–${NAT_IDLE_TIMEOUT_MAX_SEC} s most NATs keep them, so a quiet connection is forgotten ${between}${!disabled && keepalive <= RECOMMENDED_KEEPALIVE_SEC ? `, even at the usual ${RECOMMENDED_KEEPALIVE_SEC} s keepalive` : ""}. Set the keepalive to ${targetSec} s, half that window. The events alone cannot tell this from a timer that ends connections after ${target.natWindowSec} s; drops that stop at a ${targetSec} s keepalive, or that come after quiet spells, confirm the NAT.`,
            severity: natDrops.length >= MIN_KEEPALIVE_NAT_DROPS ? "warning" : "info",
            // Above the irregular-drop and keepalive-timeout findings: the keepalive is the fix for their drops.
            confidence: natDrops.length >= MIN_KEEPALIVE_NAT_DROPS ? clamp(0.7 + 0.26 * Math.min(1, natDrops.length / 5), 0, 0.96) : 0.55,
            evidence: {
              eventIds: [lastConnect.id, ...natDrops.map((drop) => drop.id)],
              stats: {
                keepaliveSec: keepalive,
                recommendedKeepaliveSec: targetSec,
                ...(disabled ? {} : { detectionDelaySec: detection }),
                drops: natDrops.length,
                ...(target.natWindowSec === null ? {} : { natIdleWindowSec: target.natWindowSec }),
              },
              range: rangeAround(lastDrop?.occurredAt ?? lastConnect.occurredAt),
            },
            codes,
            steps: [
              { text: `Set the keepalive to ${targetSec} s`, check: "keepalive-within-nat-timeout" },
              {
                text: "Check signal strength, Wi-Fi roaming, DHCP renewals and power save on the device around the drop times",
                check: "stable-network",
              },
            ],
          }
        : {
            analyzer: "keepalive-too-long",
            title: "Keepalive longer than NAT idle timeouts",
            verdict: `${asks}: ${range}, so an idle connection can be forgotten ${disabled ? "with no ping to keep it" : "before the next ping"}, and ${noticed}. Set the keepalive to ${targetSec} s.`,
            severity: "info",
            confidence: clamp(0.45 + (disabled || keepalive >= NAT_IDLE_TIMEOUT_MAX_SEC ? 0.1 : 0)),
            evidence: {
              eventIds: [lastConnect.id],
              stats: { keepaliveSec: keepalive, recommendedKeepaliveSec: targetSec, ...(disabled ? {} : { detectionDelaySec: detection }) },
              range: rangeAround(lastConnect.occurredAt),
            },
            codes: [],
            steps: [{ text: `Set the keepalive to ${targetSec} s`, check: "keepalive-within-nat-timeout" }],
          },
    );
  }
  // 1.5 × the current keepalive holds for the expiries of connections that asked for it (decision 065); with no
  // expiry since the keepalive changed, there is nothing at the current keepalive to describe.
  const inRegime = madeInRegime(ctx, regime);
  const allExpiries = ctx.deviceDrops.filter((drop) => drop.reason === "keepalive_timeout" && !excluded.has(drop.id));
  const expiries = allExpiries.filter(inRegime);
  if (expiries.length >= 2) {
    // The timeline shows every expiry: say why the count is smaller than what the reader sees there.
    const previous = regimes.previous;
    const earlier = previous ? allExpiries.filter(madeInRegime(ctx, previous)).length : 0;
    const since =
      previous && regime && earlier > 0
        ? ` since its keepalive became ${regime.keepaliveSec} s (${earlier} earlier at its previous keepalive of ${previous.keepaliveSec} s)`
        : "";
    const last = expiries.at(-1);
    const seconds = keepalive ?? RECOMMENDED_KEEPALIVE_SEC;
    const known = keepalive !== null;
    const codes = [...new Set(expiries.map((drop) => drop.code).filter((code): code is string => code !== null))];
    if (last) {
      findings.push({
        analyzer: "keepalive-timeouts",
        title: "Keepalive timeouts (device hung or network froze)",
        verdict: known
          ? `The broker heard nothing from the device for 1.5 × keepalive (${Math.round(seconds * 1.5)} s) ${expiries.length} times${since}: the device hung or its network path froze without closing, and each drop was noticed only ${Math.round(seconds * 1.5)} s late. The broker's events cannot tell the two apart; the device's own log around the drops (a blocked application or a network change) would.`
          : `The broker heard nothing from the device for 1.5 × its keepalive ${expiries.length} times: the device hung or its network path froze without closing (the device's own log around the drops would tell which). The connect events do not carry the keepalive, so the detection delay is not known.`,
        severity: "warning",
        confidence: clamp(0.55 + 0.35 * Math.min(1, expiries.length / 10)),
        evidence: {
          eventIds: expiries.map((drop) => drop.id),
          stats: {
            keepaliveTimeouts: expiries.length,
            ...(known ? { keepaliveSec: seconds, detectionDelaySec: Math.round(seconds * 1.5) } : {}),
          },
          range: rangeAround(last.occurredAt),
        },
        codes,
        steps: [
          { text: "Check that the client's ping loop runs while the application is busy (no blocked event loop)", check: "manual" },
          { text: "Check the device's network path around the drop times", check: "stable-network" },
          {
            text: `Keep the keepalive at ${keepaliveTarget(ctx).keepaliveSec} s so dead links are noticed quickly`,
            check: "keepalive-within-nat-timeout",
          },
        ],
      });
    }
  }
  return findings;
}

// HTTP 429 as a code of its own (`http:429`, `status 429`), never any number that happens to contain 429.
const TOO_MANY_REQUESTS_CODE = /(?:^|[:\s])429$/;

/**
 * Throttling or quotas, from the canonical reason or, where an adapter kept only words, from the code's name and
 * the message, read by the same recogniser the adapters use (lib/sources/rate-limit-reasons.ts).
 */
export function isRateLimited(event: DiagnosisEvent): boolean {
  if (event.reason === "throttled" || event.reason === "quota_exceeded") return true;
  if (event.code && TOO_MANY_REQUESTS_CODE.test(event.code)) return true;
  return recogniseRateLimiting(event.code?.replace(/^[\w-]+:/, "")) !== null || recogniseRateLimiting(event.message) !== null;
}

/**
 * The device's own throttling and quota events: refusals, and disconnects that were not fleet-wide or probe-failed
 * (a broker that throttles everyone at once, ServerBusy in an outage, is the fleet's event, not this device's rate).
 */
export function deviceRateLimitEvents(ctx: AnalysisContext): DiagnosisEvent[] {
  const counted = new Set<string>();
  return ctx.events.filter((event) => {
    if (!isRateLimited(event)) return false;
    if (event.kind === "connect_failed") return true;
    const drop = ctx.dropOf.get(event.id);
    if (!drop || ctx.fleetWide.has(drop.id) || ctx.probeFailed.has(drop.id)) return false;
    // One lost connection, however many sources logged it (lifecycle events and the broker's log).
    if (counted.has(drop.id)) return false;
    counted.add(drop.id);
    return true;
  });
}

/**
 * Fewest throttling or quota events that make the device's rate a problem. One is a burst over the limit (a backlog
 * flushed after a reconnect, a firmware update's upload): said, as the other analyzers say a single drop, not alarmed.
 */
export const MIN_RATE_LIMIT_EVENTS = 2;

/** Drops the server attributes to rates: throttling and quotas (drops after many messages). */
export function detectRateLimiting(ctx: AnalysisContext): DraftFinding[] {
  const limited = deviceRateLimitEvents(ctx);
  const last = limited.at(-1);
  if (!last) return [];
  const codes = [...new Set(limited.map((event) => event.code).filter((code): code is string => code !== null))];
  const repeated = limited.length >= MIN_RATE_LIMIT_EVENTS;
  return [
    {
      analyzer: "rate-limiting",
      title: repeated ? "Drops after too many messages (rate limiting)" : "Throttled once (rate limit or quota)",
      verdict: repeated
        ? `The server throttled or cut the device for exceeding a rate or quota ${limited.length} times: it sends or connects faster than the limits allow.`
        : `The server throttled or cut the device for exceeding a rate or quota once${last.code ? ` (${last.code})` : ""}: one burst over the limit, not a pattern yet; if it recurs, the device sends or connects faster than the limits allow.`,
      severity: repeated ? "warning" : "info",
      confidence: repeated ? clamp(0.7 + 0.25 * Math.min(1, limited.length / 5)) : 0.5,
      evidence: { eventIds: limited.map((event) => event.id), stats: { rateLimited: limited.length }, range: rangeAround(last.occurredAt) },
      codes,
      steps: [
        { text: "Keep publish and connect rates below the server's limits (batch telemetry, lower the rate)", check: "below-rate-limits" },
        { text: "Back off on reconnect instead of retrying at once", check: "reconnect-backoff" },
      ],
    },
  ];
}

/** `power save`, `network change`: what a system event was, in words. */
export function describeSystemEvent(event: DiagnosisEvent): string {
  const agentType = /^agent:system_event:(.+)$/i.exec(event.code ?? "")?.[1];
  if (agentType && agentType !== "other") return agentType.replace(/_/g, " ");
  const named = /^agent:(SYSTEM_SUSPEND|NETWORK_CHANGE)$/i.exec(event.code ?? "")?.[1];
  if (named) return named.toLowerCase() === "system_suspend" ? "suspend" : "network change";
  const logged = /^(?:journal|syslog):(.+)$/i.exec(event.code ?? "")?.[1];
  if (logged && Object.hasOwn(SYSTEM_LOG_KIND_LABELS, logged)) return SYSTEM_LOG_KIND_LABELS[logged as SystemLogEventKind];
  return (event.message ?? "system event").slice(0, 60);
}

/** Drops right after the device itself reported a system event (suspend, network change, DHCP renewal, cron). */
export function detectSystemEventDrops(ctx: AnalysisContext): DraftFinding[] {
  if (ctx.systemEvents.length === 0 || ctx.deviceDrops.length < 2) return [];
  // Each matched drop names the kinds of system events around it, counted once per drop; ties keep log order.
  const tally = new Map<string, number>();
  const reportTimes = ctx.systemEvents.map((report) => report.occurredAt.getTime());
  const matched = ctx.deviceDrops.filter((drop) => {
    const at = drop.occurredAt.getTime();
    // System events are in time order: only those in the drop's own window are read (a chatty agent sends thousands).
    const around: DiagnosisEvent[] = [];
    for (let i = firstAtOrAfter(reportTimes, at - SYSTEM_EVENT_WINDOW_MS); (reportTimes[i] ?? Infinity) <= at + 10_000; i += 1)
      around.push(ctx.systemEvents[i] as DiagnosisEvent);
    for (const kind of new Set(around.map(describeSystemEvent))) tally.set(kind, (tally.get(kind) ?? 0) + 1);
    return around.length > 0;
  });
  if (matched.length < 2 || matched.length / ctx.deviceDrops.length < 0.5) return [];
  const last = matched.at(-1);
  if (!last) return [];
  const kinds = [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind]) => kind)
    .slice(0, 4);
  return [
    {
      analyzer: "system-event-drops",
      title: "Drops during device system events",
      verdict: `${matched.length} of ${ctx.deviceDrops.length} drops came within 2 min of a system event the device reported (${kinds.join(", ")}): the device's own configuration or environment (power save, suspend, network change, DHCP renewal, scheduled jobs), not the broker.`,
      severity: "warning",
      confidence: clamp(0.5 + 0.45 * (matched.length / ctx.deviceDrops.length)),
      evidence: {
        eventIds: matched.map((drop) => drop.id),
        stats: { matchedDrops: matched.length, drops: ctx.deviceDrops.length, systemEvents: ctx.systemEvents.length },
        range: rangeAround(last.occurredAt),
      },
      codes: [],
      steps: [
        {
          text: "Disable aggressive power save and move scheduled jobs that restart the network away from the connection",
          check: "manual",
        },
      ],
    },
  ];
}
