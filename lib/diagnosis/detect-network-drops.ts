import type { Reason } from "@/lib/events/connection-event.ts";
import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, formatPeriod, median, rangeAround, robustSpread } from "./statistics.ts";
import type { DraftFinding } from "./types.ts";

const MINUTE = 60_000;
const NETWORK_REASONS: ReadonlySet<Reason> = new Set(["connection_lost", "keepalive_timeout", "unknown"]);
/** Keepalive expiries have their own, more specific finding (detectKeepaliveProblems). */
const IRREGULAR_REASONS: ReadonlySet<Reason> = new Set(["connection_lost", "unknown"]);
/** Below this many network drops per day a device is healthy enough not to call its drops a problem. */
export const MIN_IRREGULAR_DROPS_PER_DAY = 2;
export const MIN_IRREGULAR_DROPS = 3;
/** NAT devices typically forget idle mappings after 300–600 s. */
export const NAT_IDLE_TIMEOUT_SEC = 300;
/** A device report this long before a drop counts as "during a system event". */
export const SYSTEM_EVENT_WINDOW_MS = 2 * MINUTE;

/** Irregular drops at a steady rate: network, NAT or Wi-Fi rather than a timer. */
export function detectIrregularDrops(ctx: AnalysisContext, excluded: ReadonlySet<string>): DraftFinding[] {
  const drops = ctx.deviceDrops.filter((drop) => IRREGULAR_REASONS.has(drop.reason) && !excluded.has(drop.id));
  const perDay = drops.length / ctx.spanDays;
  if (drops.length < MIN_IRREGULAR_DROPS || perDay < MIN_IRREGULAR_DROPS_PER_DAY) return [];
  const uptimes = ctx.uptimes.filter((uptime) => drops.includes(uptime.drop)).map((uptime) => uptime.durationMs);
  const typical = uptimes.length > 0 ? median(uptimes) : (ctx.spanDays * 86_400_000) / drops.length;
  const variation = uptimes.length > 1 ? robustSpread(uptimes) / typical : 1;
  if (variation < 0.3) return []; // regular: the periodic analyzer's case
  const addresses = new Set(ctx.connects.map((event) => event.clientIp).filter(Boolean));
  const ipChanges = ctx.connects.filter((event, index) => index > 0 && event.clientIp !== ctx.connects[index - 1]?.clientIp).length;
  const first = drops[0];
  const last = drops.at(-1);
  if (!first || !last) return [];
  const codes = [...new Set(drops.map((drop) => drop.code).filter((code): code is string => code !== null))];
  const ipText = ipChanges > 0 ? `; the address changed ${ipChanges} times (carrier NAT, roaming or DHCP)` : "";
  return [
    {
      analyzer: "irregular-drops",
      title: "Irregular drops (network, NAT or Wi-Fi)",
      verdict: `${drops.length} drops at irregular intervals (${perDay.toFixed(1)} a day, typical uptime ${formatPeriod(typical)})${ipText}: the network path (Wi-Fi, cellular, NAT) rather than a server timer.`,
      severity: "warning",
      confidence: clamp(0.45 + 0.35 * Math.min(1, drops.length / 20) + 0.1 * Math.min(1, variation)),
      evidence: {
        eventIds: drops.map((drop) => drop.id),
        stats: { drops: drops.length, dropsPerDay: Math.round(perDay * 10) / 10, typicalUptimeSec: Math.round(typical / 1000), variation: Math.round(variation * 100) / 100, addresses: addresses.size, ipChanges },
        range: rangeAround(last.occurredAt),
      },
      codes,
      steps: [
        { text: "Keep the keepalive at or below 60 s so NAT mappings (300–600 s idle) stay open", check: "keepalive-within-nat-timeout" },
        { text: "Check signal strength, Wi-Fi roaming, DHCP renewals and power save on the device around the drop times", check: "stable-network" },
        { text: "Reconnect with backoff starting near 0.5–1 s, doubling to a 60 s cap, with jitter", check: "reconnect-backoff" },
      ],
    },
  ];
}

/** Keepalive longer than NAT idle timeouts, and keepalive expiries with the broker's 1.5 × detection delay. */
export function detectKeepaliveProblems(ctx: AnalysisContext): DraftFinding[] {
  const findings: DraftFinding[] = [];
  const keepalive = ctx.lastKeepaliveSec;
  const lastConnect = ctx.connects.findLast((event) => event.keepaliveSec !== null);
  if (keepalive !== null && keepalive > NAT_IDLE_TIMEOUT_SEC && lastConnect) {
    const networkDrops = ctx.deviceDrops.filter((drop) => NETWORK_REASONS.has(drop.reason)).length;
    findings.push({
      analyzer: "keepalive-too-long",
      title: "Keepalive longer than NAT idle timeouts",
      verdict: `The device asks for a ${keepalive} s keepalive, longer than typical NAT idle timeouts (300–600 s): an idle connection can be forgotten by the network before the next ping, and the broker notices only after ${Math.round(keepalive * 1.5)} s.`,
      severity: "warning",
      confidence: clamp(0.45 + (networkDrops > 0 ? 0.2 : 0) + (keepalive >= 600 ? 0.1 : 0)),
      evidence: { eventIds: [lastConnect.id], stats: { keepaliveSec: keepalive, detectionDelaySec: Math.round(keepalive * 1.5), networkDrops }, range: rangeAround(lastConnect.occurredAt) },
      codes: [],
      steps: [{ text: "Set the keepalive to 60 s", check: "keepalive-within-nat-timeout" }],
    });
  }
  const expiries = ctx.deviceDrops.filter((drop) => drop.reason === "keepalive_timeout");
  if (expiries.length >= 2) {
    const last = expiries.at(-1);
    const seconds = keepalive ?? 60;
    const codes = [...new Set(expiries.map((drop) => drop.code).filter((code): code is string => code !== null))];
    if (last) {
      findings.push({
        analyzer: "keepalive-timeouts",
        title: "Keepalive timeouts (device hung or network froze)",
        verdict: `The broker heard nothing from the device for 1.5 × keepalive (${Math.round(seconds * 1.5)} s) ${expiries.length} times: the device hung or its network path froze without closing, and each drop was noticed only ${Math.round(seconds * 1.5)} s late.`,
        severity: "warning",
        confidence: clamp(0.55 + 0.35 * Math.min(1, expiries.length / 10)),
        evidence: { eventIds: expiries.map((drop) => drop.id), stats: { keepaliveTimeouts: expiries.length, keepaliveSec: seconds, detectionDelaySec: Math.round(seconds * 1.5) }, range: rangeAround(last.occurredAt) },
        codes,
        steps: [
          { text: "Check that the client's ping loop runs while the application is busy (no blocked event loop)", check: "manual" },
          { text: "Check the device's network path around the drop times", check: "stable-network" },
          { text: "Keep the keepalive at or below 60 s so dead links are noticed quickly", check: "keepalive-within-nat-timeout" },
        ],
      });
    }
  }
  return findings;
}

/** Drops the server attributes to rates: throttling and quotas (drops after many messages). */
export function detectRateLimiting(ctx: AnalysisContext): DraftFinding[] {
  const limited = ctx.events.filter((event) => (event.kind === "disconnected" || event.kind === "connect_failed") && (event.reason === "throttled" || event.reason === "quota_exceeded"));
  const last = limited.at(-1);
  if (!last) return [];
  const codes = [...new Set(limited.map((event) => event.code).filter((code): code is string => code !== null))];
  return [
    {
      analyzer: "rate-limiting",
      title: "Drops after too many messages (rate limiting)",
      verdict: `The server throttled or cut the device for exceeding a rate or quota ${limited.length} times${codes.length > 0 ? ` (${codes.join(", ")})` : ""}: it sends or connects faster than the limits allow.`,
      severity: "warning",
      confidence: clamp(0.7 + 0.25 * Math.min(1, limited.length / 5)),
      evidence: { eventIds: limited.map((event) => event.id), stats: { rateLimited: limited.length }, range: rangeAround(last.occurredAt) },
      codes,
      steps: [
        { text: "Keep publish and connect rates below the server's limits (batch telemetry, lower the rate)", check: "below-rate-limits" },
        { text: "Back off on reconnect instead of retrying at once", check: "reconnect-backoff" },
      ],
    },
  ];
}

/** Drops right after the device itself reported a system event (suspend, network change, cron). */
export function detectSystemEventDrops(ctx: AnalysisContext): DraftFinding[] {
  if (ctx.reports.length === 0 || ctx.deviceDrops.length < 2) return [];
  const matched = ctx.deviceDrops.filter((drop) =>
    ctx.reports.some((report) => {
      const before = drop.occurredAt.getTime() - report.occurredAt.getTime();
      return before >= -10_000 && before <= SYSTEM_EVENT_WINDOW_MS;
    }),
  );
  if (matched.length < 2 || matched.length / ctx.deviceDrops.length < 0.5) return [];
  const last = matched.at(-1);
  if (!last) return [];
  const kinds = [...new Set(ctx.reports.map((report) => report.code ?? report.message ?? "system event"))].slice(0, 4);
  return [
    {
      analyzer: "system-event-drops",
      title: "Drops during device system events",
      verdict: `${matched.length} of ${ctx.deviceDrops.length} drops came within 2 min of a system event the device reported (${kinds.join(", ")}): device configuration (power save, suspend, cron), not the network.`,
      severity: "warning",
      confidence: clamp(0.5 + 0.45 * (matched.length / ctx.deviceDrops.length)),
      evidence: { eventIds: matched.map((drop) => drop.id), stats: { matchedDrops: matched.length, drops: ctx.deviceDrops.length, reports: ctx.reports.length }, range: rangeAround(last.occurredAt) },
      codes: [],
      steps: [{ text: "Disable aggressive power save and move scheduled jobs that restart the network away from the connection", check: "manual" }],
    },
  ];
}
