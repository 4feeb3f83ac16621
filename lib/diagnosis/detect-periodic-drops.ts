import type { Reason } from "@/lib/events/connection-event.ts";
import { uptimesOf, type AnalysisContext, type Uptime } from "./analysis-context.ts";
import { binomialTail, clamp, formatPeriod, maxExponentialWindowProbability, median, rangeAround, robustSpread } from "./statistics.ts";
import { keepaliveTarget } from "./detect-network-drops.ts";
import { PARTIAL_RENEWAL_CONFIDENCE, renewalLifetime } from "./detect-token-renewal.ts";
import type { DraftFinding } from "./types.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

const HOUR = 60 * MINUTE_MS;
/** Fewer intervals than this cannot show a period. */
export const MIN_PERIODIC_DROPS = 5;
/** The period must account for at least this share of the drops the analyzer looks at. */
export const MIN_PERIODIC_SHARE = 0.6;
/**
 * Largest chance that random (exponential) intervals put this many drops this close to one period: below it the
 * period is a timer, above it chance could explain it. Checked over thousands of seeded random sequences.
 */
export const MAX_CHANCE_OF_PERIOD = 1e-4;
/** Robust spread / median at or below this is a timer, not chance (exponential gaps sit near 1). */
export const MAX_PERIODIC_VARIATION = 0.1;

/** Shorter "periods" are crash loops right after connecting, the reconnect-storm analyzer's case. */
export const MIN_PERIOD_MS = 60_000;

const CREDENTIAL_REASONS: ReadonlySet<Reason> = new Set(["credential_expired", "not_authorized", "auth_failed"]);

type PeriodKind = "credential" | "sas" | "jwt" | "lifetime" | "idle" | "timer";

/**
 * A period names its cause only when the drops' reasons confirm it; otherwise it is a timer the period hints at.
 * A connection time limit (`session_ttl`: AWS's WebSocket TTL, MQTT 5 Maximum connect time) is the server's limit on
 * the connection, not a credential's lifetime, whatever the period (AWS's WebSocket limit is 24 h, like a JWT's).
 */
function classifyPeriod(periodMs: number, credentialDrops: boolean, lifetimeDrops: boolean, idleDrops: boolean): PeriodKind {
  if (lifetimeDrops) return "lifetime";
  if (credentialDrops) {
    if (periodMs >= 55 * MINUTE_MS && periodMs <= 70 * MINUTE_MS) return "sas";
    if (periodMs > 70 * MINUTE_MS && periodMs <= 24.5 * HOUR) return "jwt";
    return "credential";
  }
  if (idleDrops && periodMs >= 18 * MINUTE_MS && periodMs <= 22 * MINUTE_MS) return "idle";
  return "timer";
}

/** Reasons a token expiry or a server idle timeout can hide behind (Azure's 404104, a reset, no reason at all). */
const SILENT_REASONS: ReadonlySet<Reason> = new Set(["connection_lost", "unknown"]);
/** Reasons that say the server ended the connection for its own operational reasons. */
const SERVER_REASONS: ReadonlySet<Reason> = new Set(["server_shutdown", "admin_disconnect"]);

/**
 * What an unconfirmed period resembles, and what would confirm it; only when the drops' reasons leave room for it. A
 * period of server shutdowns every 24 h is a scheduled restart on the server's side, whatever a JWT's lifetime is.
 */
function describeTimerHint(periodMs: number, reasons: readonly Reason[]): string {
  const most = (set: ReadonlySet<Reason>) => reasons.filter((reason) => set.has(reason)).length * 2 > reasons.length;
  if (most(SERVER_REASONS))
    return " The drops' codes say the server ended the connections (a shutdown or an operator): a scheduled restart or job on the server's side; other devices dropping in the same minutes would confirm it.";
  if (!most(SILENT_REASONS)) return "";
  const unconfirmed = "the drops' codes do not confirm it; the server's disconnect reason or the device's settings would tell";
  if (periodMs >= 18 * MINUTE_MS && periodMs <= 22 * MINUTE_MS)
    return ` The period matches a 20 min server idle timeout (ClearBlade, IoT Core), but ${unconfirmed}.`;
  if (periodMs >= 55 * MINUTE_MS && periodMs <= 70 * MINUTE_MS)
    return ` The period matches a token lifetime of about an hour (SAS and similar), but ${unconfirmed}.`;
  if (periodMs >= 23 * HOUR && periodMs <= 24.5 * HOUR) return ` The period matches a 24 h JWT lifetime, but ${unconfirmed}.`;
  return "";
}

const EXPLANATION: Record<PeriodKind, { title: string; cause: string }> = {
  credential: {
    title: "Periodic drops at credential expiry",
    cause: "the server cuts the connection when the device's credential expires",
  },
  sas: {
    title: "Periodic drops at credential expiry (token lifetime ≈ 60 min)",
    cause:
      "the server cuts the connection when the device's credential expires, a token lifetime of about an hour (SAS and similar tokens)",
  },
  jwt: {
    title: "Periodic drops at JWT expiry",
    cause: "the connection ends when the device's JWT expires (JWT lifetime, at most 24 h on ClearBlade/IoT Core)",
  },
  lifetime: {
    title: "Periodic drops at the server's connection time limit",
    cause:
      "the server ends each connection when it reaches its maximum duration (a WebSocket time-to-live, the MQTT 5 maximum connect time)",
  },
  idle: {
    title: "Periodic drops at the server idle timeout (≈ 20 min)",
    cause: "a server idle timeout (ClearBlade and IoT Core close connections idle for 20 min regardless of keepalive)",
  },
  timer: {
    title: "Periodic drops",
    cause: "a timer on the device or the server (token lifetime, idle timeout, scheduled job or watchdog)",
  },
};

function dominantCode(uptimes: readonly Uptime[]): string | null {
  const counts = new Map<string, number>();
  for (const { drop } of uptimes) if (drop.code) counts.set(drop.code, (counts.get(drop.code) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/**
 * Drops at a fixed uptime: the connected time before each drop is nearly constant. Uptimes rather than gaps
 * between drops, because the reconnect delay would add its own noise. `excluded` drops were explained elsewhere.
 */
export function detectPeriodicDrops(ctx: AnalysisContext, excluded: ReadonlySet<string> = new Set()): DraftFinding[] {
  // Takeovers have their own analyzer: a ping-pong at a steady pace is not a timer on this device.
  const candidates = ctx.deviceDrops.filter((drop) => !excluded.has(drop.id) && drop.reason !== "session_taken_over");
  const uptimes = uptimesOf(ctx, candidates);
  if (uptimes.length < MIN_PERIODIC_DROPS) return [];
  const durations = uptimes.map((uptime) => uptime.durationMs);
  const period = median(durations);
  const spread = robustSpread(durations);
  if (!(period >= MIN_PERIOD_MS) || spread / period > MAX_PERIODIC_VARIATION) return [];
  // Only the uptimes that belong to the period are evidence; a few others (a restart) do not break it.
  const halfWidth = Math.max(3 * spread, 0.05 * period);
  const inPeriod = uptimes.filter((uptime) => Math.abs(uptime.durationMs - period) <= halfWidth);
  // Most drops must be explained: drops without a known uptime count against the period too.
  if (inPeriod.length < MIN_PERIODIC_DROPS || inPeriod.length / candidates.length < MIN_PERIODIC_SHARE) return [];
  // Against chance: how likely would exponential intervals put this many of them in a window this narrow?
  const chance = binomialTail(uptimes.length, inPeriod.length, maxExponentialWindowProbability(halfWidth / period));
  if (chance > MAX_CHANCE_OF_PERIOD) return [];

  const credentialDrops = inPeriod.filter((uptime) => CREDENTIAL_REASONS.has(uptime.drop.reason)).length >= inPeriod.length / 2;
  const lifetimeDrops = inPeriod.filter((uptime) => uptime.drop.reason === "session_ttl").length >= inPeriod.length / 2;
  const idleDrops = inPeriod.filter((uptime) => uptime.drop.reason === "idle_timeout").length >= inPeriod.length / 2;
  const kind = classifyPeriod(period, credentialDrops, lifetimeDrops, idleDrops);
  const code = dominantCode(inPeriod);
  const periodDrops = new Set(inPeriod.map((uptime) => uptime.drop.id));
  const reconnectGaps = ctx.gaps.filter((gap) => periodDrops.has(gap.drop.id) && gap.next.kind === "connected").map((gap) => gap.gapMs);
  const reconnectMs = reconnectGaps.length > 0 ? median(reconnectGaps) : null;
  const reconnectText = reconnectMs === null ? "" : `, then reconnects in ${formatPeriod(reconnectMs)}`;
  const first = inPeriod[0];
  const last = inPeriod.at(-1);
  if (!first || !last) return [];

  const variation = spread / period;
  const renewals = renewalLifetime(ctx);
  // The device's own token renewals run at this period: these are renewals whose records the feed kept only in part.
  if (renewals !== null && Math.abs(renewals.lifetimeMs - period) <= halfWidth)
    return [partialRenewals(inPeriod, period, spread, renewals.chains, reconnectText)];
  // A cause the codes do not confirm is less certain than the period itself.
  const confidence = clamp(
    0.45 + 0.3 * Math.min(1, inPeriod.length / 12) + 0.24 * (1 - variation / MAX_PERIODIC_VARIATION),
    0,
    kind === "timer" ? 0.9 : 0.98,
  );
  const { title, cause } = EXPLANATION[kind];
  return [
    {
      analyzer: "periodic-drops",
      title,
      verdict: `Drops every ${formatPeriod(period, spread)}${code ? ` with ${code}` : ""}${reconnectText}: ${cause}.${
        kind === "timer"
          ? describeTimerHint(
              period,
              inPeriod.map((uptime) => uptime.drop.reason),
            )
          : ""
      }`,
      severity: "warning",
      confidence,
      evidence: {
        eventIds: inPeriod.map((uptime) => uptime.drop.id),
        stats: {
          drops: inPeriod.length,
          periodSec: Math.round(period / 1000),
          spreadSec: Math.round(spread / 1000),
          ...(reconnectMs === null ? {} : { medianReconnectSec: Math.round(reconnectMs / 100) / 10 }),
          kind,
        },
        range: rangeAround(last.connect.occurredAt, last.drop.occurredAt, 5 * MINUTE_MS),
      },
      codes: code ? [code] : [],
      steps:
        kind === "idle"
          ? [
              {
                text: `Send a PINGREQ or a message well within 20 min (keepalive ${keepaliveTarget(ctx).keepaliveSec} s)`,
                check: "keepalive-within-nat-timeout",
              },
            ]
          : kind === "timer"
            ? [
                {
                  text: "Find the timer with this period on the device (token lifetime, watchdog, cron) or the server (idle or session limits)",
                  check: "manual",
                },
              ]
            : kind === "lifetime"
              ? [
                  {
                    text: "Reconnect on a schedule before the server's connection time limit (with fresh credentials where the endpoint needs them), or raise the limit",
                    check: "renews-before-expiry",
                  },
                  { text: "Reconnect within seconds when the limit ends a connection", check: "reconnects-quickly" },
                ]
              : [
                  {
                    text: "Renew the credential before it expires and reconnect with the new one, instead of waiting to be cut off",
                    check: "renews-before-expiry",
                  },
                  { text: "Reconnect with fresh credentials within seconds after an expiry", check: "reconnects-quickly" },
                ],
    },
  ];
}

/**
 * Drops at the lifetime of the device's recognised SAS token renewals, that are not renewals themselves: the 401003,
 * the 404104 or the reconnect of a renewal missing from the records (a best-effort log, a lossy feed). Not a fault.
 */
function partialRenewals(inPeriod: readonly Uptime[], period: number, spread: number, chains: number, reconnectText: string): DraftFinding {
  const last = inPeriod.at(-1);
  return {
    analyzer: "periodic-drops",
    title: "Drops at the token renewal's lifetime",
    verdict: `${inPeriod.length} drops every ${formatPeriod(period, spread)}${reconnectText}, the lifetime of the ${chains} SAS token renewals recognised in this window: most likely renewals whose records are incomplete here (the 401003, the 404104 or the reconnect missing), expected. A renewal whose reconnect takes a minute or more is not: the device's own log of its reconnects would tell.`,
    severity: "info",
    confidence: PARTIAL_RENEWAL_CONFIDENCE,
    evidence: {
      eventIds: inPeriod.map((uptime) => uptime.drop.id),
      stats: { drops: inPeriod.length, periodSec: Math.round(period / 1000), renewals: chains, kind: "renewal" },
      range: last ? rangeAround(last.connect.occurredAt, last.drop.occurredAt, 5 * MINUTE_MS) : null,
    },
    codes: ["azure:401003", "azure:404104"],
    steps: [{ text: "Reconnect within seconds when the token renewal ends a connection", check: "reconnects-quickly" }],
  };
}
