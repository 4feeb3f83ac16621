import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, formatPeriod, median, rangeAround, robustSpread } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

/** The SDKs' renewal chain must complete within this, per Azure's troubleshooting guide. */
export const RENEWAL_RECONNECT_MS = 60_000;
const CHAIN_LINK_MS = 60_000;
/** Recognised renewals that give the device's token lifetime (two give one interval between them). */
const MIN_RENEWALS_FOR_LIFETIME = 3;
/** Drops read as renewals with a record missing: calm, and below the renewal finding, as a reading of records the feed lost. */
export const PARTIAL_RENEWAL_CONFIDENCE = 0.45;
/** How far from a whole number of token lifetimes after a renewal a drop may be and still be a renewal's. */
const RHYTHM_TOLERANCE = 0.05;

const isCode = (event: DiagnosisEvent, code: string) => event.code === code;
/**
 * How long after the device's new connection the hub may still log the old link's 401003 or 404104: it notices the old
 * link late (troubleshoot-error-codes, 409002), and the Connections log has one-second timestamps.
 */
const LATE_RECORD_MS = 2_000;
const isOldLinkRecord = (event: DiagnosisEvent) =>
  event.kind === "disconnected" && (isCode(event, "azure:404104") || isCode(event, "azure:401003"));

/** `records`: every 401003 and 404104 record of the renewal (one can be logged as a refusal and a disconnect). */
export type RenewalChain = { unauthorized: DiagnosisEvent; closed: DiagnosisEvent; reconnect: DiagnosisEvent; records: DiagnosisEvent[] };

/** Stamped at the same instant: with the Connections log's one-second timestamps, the order stored says nothing. */
const sameInstant = (a: DiagnosisEvent, b: DiagnosisEvent) => a.occurredAt.getTime() === b.occurredAt.getTime();

/** A refused 401003 stamped at the same instant as the renewal's 404104: it may as well have come first. */
const isUnorderedRefusal = (event: DiagnosisEvent, closed: DiagnosisEvent) =>
  event.kind === "connect_failed" && isCode(event, "azure:401003") && sameInstant(event, closed);

/**
 * A 404104 logged just before a 401003 disconnect, with no connect between: the same renewal. The Connections log is
 * best-effort with one-second timestamps, so the two disconnect records of one renewal come in either order. (Not for
 * a 401003 refusal logged after it: a 404104 then refused attempts is how a device with bad credentials looks after a
 * network drop; a refusal stamped in the 404104's own second is unordered with it, and counts as logged before it.)
 */
function closedBefore(events: readonly DiagnosisEvent[], index: number): DiagnosisEvent | null {
  const unauthorized = events[index];
  if (!unauthorized || (unauthorized.kind !== "disconnected" && unauthorized.kind !== "connect_failed")) return null;
  for (let k = index - 1; k >= 0; k -= 1) {
    const previous = events[k];
    if (!previous || unauthorized.occurredAt.getTime() - previous.occurredAt.getTime() > CHAIN_LINK_MS) return null;
    if (previous.kind === "connected") return null;
    if (previous.kind === "disconnected" && isCode(previous, "azure:404104"))
      return unauthorized.kind === "disconnected" || isUnorderedRefusal(unauthorized, previous) ? previous : null;
  }
  return null;
}

/** The old link's records logged just after the reconnect at `index` (none once anything else happens). */
function lateRecordsAfter(events: readonly DiagnosisEvent[], index: number): DiagnosisEvent[] {
  const reconnect = events[index];
  const late: DiagnosisEvent[] = [];
  if (!reconnect) return late;
  for (let next = index + 1; next < events.length; next += 1) {
    const event = events[next] as DiagnosisEvent;
    if (event.occurredAt.getTime() - reconnect.occurredAt.getTime() > LATE_RECORD_MS || !isOldLinkRecord(event)) break;
    late.push(event);
  }
  return late;
}

/**
 * A 401003 disconnect logged just after a connect that came within 60 s of a 404104: a renewal whose 401003 the hub
 * logged after the device had reconnected.
 */
function lateUnauthorized(events: readonly DiagnosisEvent[], index: number): RenewalChain | null {
  const unauthorized = events[index];
  if (unauthorized?.kind !== "disconnected") return null;
  let k = index - 1;
  // Back over the old link's records, no further than a reconnect could be (a refused device logs thousands of them).
  while (k >= 0 && isOldLinkRecord(events[k] ?? unauthorized)) {
    if (unauthorized.occurredAt.getTime() - (events[k] ?? unauthorized).occurredAt.getTime() > LATE_RECORD_MS) return null;
    k -= 1;
  }
  const reconnect = events[k];
  if (reconnect?.kind !== "connected" || unauthorized.occurredAt.getTime() - reconnect.occurredAt.getTime() > LATE_RECORD_MS) return null;
  const closed = events[k - 1];
  if (!closed || !isCode(closed, "azure:404104") || closed.kind !== "disconnected") return null;
  if (reconnect.occurredAt.getTime() - closed.occurredAt.getTime() >= RENEWAL_RECONNECT_MS) return null;
  return { unauthorized, closed, reconnect, records: [closed, ...lateRecordsAfter(events, k)] };
}

/**
 * `401003 IoTHubUnauthorized` → `404104 DeviceConnectionClosedRemotely` (disconnects: either order) → connected within
 * 60 s; either record may also be logged just after that connect.
 */
export function findRenewalChains(events: readonly DiagnosisEvent[]): RenewalChain[] {
  const chains: RenewalChain[] = [];
  // Every record some chain already holds: a storm of renewals has thousands of chains.
  const chained = new Set<DiagnosisEvent>();
  const addRecords = (chain: RenewalChain, ...records: DiagnosisEvent[]) => {
    chain.records.push(...records);
    for (const record of records) chained.add(record);
  };
  const addChain = (chain: RenewalChain) => {
    chains.push(chain);
    for (const record of chain.records) chained.add(record);
  };
  for (let i = 0; i < events.length; i += 1) {
    const unauthorized = events[i];
    if (!unauthorized || !isCode(unauthorized, "azure:401003")) continue;
    if (chained.has(unauthorized)) continue;
    const late = lateUnauthorized(events, i);
    if (late) {
      addChain(late);
      continue;
    }
    let closed: DiagnosisEvent | null = null;
    // The reconnect is looked for after the chain's last record: the 404104 when it follows, else the 401003.
    let last = i;
    for (let j = i + 1; j < events.length; j += 1) {
      const next = events[j];
      if (!next) break;
      if (next.occurredAt.getTime() - unauthorized.occurredAt.getTime() > CHAIN_LINK_MS) break;
      if (isCode(next, "azure:404104")) {
        closed = next;
        last = j;
        break;
      }
      if (next.kind === "connected") break;
    }
    closed ??= closedBefore(events, i) ?? (unauthorized.kind === "disconnected" ? unauthorized : null);
    if (!closed) continue;
    const { reconnectAt, unordered } = nextAttemptAfter(events, last, closed);
    const reconnect = events[reconnectAt];
    if (reconnect?.kind !== "connected") continue;
    if (reconnect.occurredAt.getTime() - closed.occurredAt.getTime() >= RENEWAL_RECONNECT_MS) continue;
    // One reconnect ends one renewal: a second 401003 record before it (the refused stale token and the closed
    // connection, both logged) is the same renewal, not another.
    const previous = chains.at(-1);
    if (previous?.reconnect === reconnect) {
      addRecords(previous, unauthorized);
      if (!previous.records.includes(closed)) addRecords(previous, closed);
      continue;
    }
    const records = [...(closed === unauthorized ? [unauthorized] : [unauthorized, closed]), ...unordered];
    addChain({ unauthorized, closed, reconnect, records: [...records, ...lateRecordsAfter(events, reconnectAt)] });
  }
  return chains;
}

/**
 * The first connect attempt after `last` (index -1 when none comes within RENEWAL_RECONNECT_MS of `closed`: one that
 * late is no renewal's reconnect), and the refusals stamped with `closed` passed on the way.
 */
function nextAttemptAfter(
  events: readonly DiagnosisEvent[],
  last: number,
  closed: DiagnosisEvent,
): { reconnectAt: number; unordered: DiagnosisEvent[] } {
  const unordered: DiagnosisEvent[] = [];
  for (let index = last + 1; index < events.length; index += 1) {
    const event = events[index] as DiagnosisEvent;
    if (event.occurredAt.getTime() - closed.occurredAt.getTime() >= RENEWAL_RECONNECT_MS) break;
    if (event.kind !== "connected" && event.kind !== "connect_failed") continue;
    if (!isUnorderedRefusal(event, closed)) return { reconnectAt: index, unordered };
    unordered.push(event);
  }
  return { reconnectAt: -1, unordered };
}

/** The normal SAS token renewal: recognised and marked expected so it never alarms. Returns the explained drop IDs too. */
export function detectTokenRenewal(ctx: AnalysisContext): { findings: DraftFinding[]; explained: Set<string> } {
  const chains = ctx.renewals;
  const explained = new Set<string>();
  for (const event of chains.flatMap((chain) => chain.records)) {
    explained.add(event.id);
    // The drop a renewal ends may be another source's record of it (Event Grid's disconnect, stored first).
    const drop = ctx.dropOf.get(event.id);
    if (drop) explained.add(drop.id);
  }
  const first = chains[0];
  const last = chains.at(-1);
  if (!first || !last) return { findings: [], explained };
  const intervals = chains
    .slice(1)
    .map((chain, index) => chain.closed.occurredAt.getTime() - (chains[index]?.closed.occurredAt.getTime() ?? 0));
  const reconnects = chains.map((chain) => chain.reconnect.occurredAt.getTime() - chain.closed.occurredAt.getTime());
  const every = intervals.length >= 2 ? `every ${formatPeriod(median(intervals), robustSpread(intervals))} ` : "";
  return {
    explained,
    findings: [
      {
        analyzer: "token-renewal",
        title: "SAS token renewal (expected)",
        verdict: `Drops ${every}with ${chains.some((chain) => chain.records.some((event) => isCode(event, "azure:404104"))) ? "401003 and 404104" : "401003"} and reconnects in ${formatPeriod(median(reconnects))}: SAS token renewal, expected.`,
        severity: "expected",
        confidence: clamp(0.6 + 0.35 * Math.min(1, chains.length / 6)),
        evidence: {
          eventIds: chains.flatMap((chain) => [...chain.records.map((event) => event.id), chain.reconnect.id]),
          stats: { renewals: chains.length, medianReconnectSec: Math.round(median(reconnects) / 100) / 10 },
          range: rangeAround(last.unauthorized.occurredAt, last.reconnect.occurredAt, 5 * 60_000),
        },
        codes: ["azure:401003", "azure:404104"],
        steps: [
          { text: "Nothing to fix: suppress alerts for a disconnect followed by a reconnect within 60 s", check: "reconnects-quickly" },
        ],
      },
    ],
  };
}

/** The median time between the device's recognised token renewals, when it has at least MIN_RENEWALS_FOR_LIFETIME of them. */
export function renewalLifetime(ctx: AnalysisContext): { lifetimeMs: number; chains: number } | null {
  const chains = ctx.renewals;
  if (chains.length < MIN_RENEWALS_FOR_LIFETIME) return null;
  const starts = chains.map((chain) => chain.closed.occurredAt.getTime());
  const intervals = starts.slice(1).map((start, index) => start - (starts[index] ?? start));
  // Renewals the feed recorded in full can be some lifetimes apart (the ones between lost a record): the shortest is one.
  const lifetimes = intervals.filter((interval) => interval <= 1.5 * Math.min(...intervals));
  return { lifetimeMs: median(lifetimes), chains: chains.length };
}

/**
 * True when `at` is a whole number of token lifetimes (± 5 %) from the nearest recognised renewal: a renewal whose
 * 401003, 404104 or reconnect the records lack falls there, a drop for another reason rarely does.
 */
export function atRenewalRhythm(ctx: AnalysisContext, at: number): boolean {
  const lifetime = renewalLifetime(ctx)?.lifetimeMs;
  if (lifetime === undefined || !(lifetime > 0)) return false;
  const nearest = Math.min(...ctx.renewals.map((chain) => Math.abs(at - chain.closed.occurredAt.getTime())));
  const lifetimes = nearest / lifetime;
  return Math.round(lifetimes) >= 1 && Math.abs(lifetimes - Math.round(lifetimes)) <= RHYTHM_TOLERANCE * Math.round(lifetimes);
}
