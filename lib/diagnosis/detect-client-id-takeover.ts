import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, firstAtOrAfter, formatPeriod, median, rangeAround, robustSpread } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding, EvidenceRange } from "./types.ts";

export const MIN_TAKEOVERS = 3;

/** A kicked device comes back within its reconnect delay: seconds, a minute or two at most with backoff and jitter. */
export const QUICK_RETURN_MS = 3 * 60_000;
/** Quick returns in a row that only devices fighting over one ID keep up; a device switching networks stays a while. */
export const PING_PONG_RUN = 4;
/** A connection the other address left alone this long: whatever took the session before did not come back for it. */
export const LONG_HOLD_MS = 10 * 60_000;
/** Stays per address, and their spread relative to the median, that make a slow ping-pong's steady beat. */
const STEADY_MIN_STAYS = 4;
const STEADY_SPREAD = 0.2;

/**
 * How the takeovers read: two or more devices on one client ID; takeovers swapping between addresses that the data
 * cannot pin on either; a device alternating between networks; or the device's own reconnects (from one address, or
 * from one that changes).
 */
export type TakeoverReading = "duplicate" | "one-address-ping-pong" | "cannot-tell" | "two-networks" | "own";

/**
 * Two devices sharing one client ID take the session from each other and each comes back from its own address, so
 * takeovers swap back to an address seen before, and, both being powered, the kicked one comes straight back, again
 * and again. A device whose address changes as it reconnects (carrier NAT, roaming) takes its own session over from a
 * new address each time; one whose address never changes, from the same one; one alternating between two networks
 * (Wi-Fi and cellular failover) swaps back too, but stays on each network a while.
 */
export type TakeoverPattern = {
  takeovers: DiagnosisEvent[];
  successors: { drop: DiagnosisEvent; next: DiagnosisEvent }[];
  /** Takeovers whose new connection came from another address than the connection it replaced. */
  alternations: number;
  /** Of those, the ones whose new address had connected before: the other device coming back, or the device returning. */
  swapBacks: number;
  /** Of those, the ones that replaced a connection younger than QUICK_RETURN_MS: a kicked device coming straight back. */
  quickSwapBacks: number;
  /** The most quick swap-backs in a row, each taking over the connection the one before brought in. */
  longestPingPong: number;
  /** The most takeovers in a row from the address of the connection they replaced, each younger than QUICK_RETURN_MS. */
  longestOneAddressPingPong: number;
  /** Connections brought in by a swap-back that the other address then left alone for LONG_HOLD_MS, or that ended otherwise. */
  holds: number;
  /** Address changes whose previous connection ended in a drop or a refused connect, not a takeover: a network failing first. */
  switchesAfterDrop: number;
  /** How long the connections replaced by an address change had lasted, median. */
  medianStayMs: number;
  /** Addresses of the connects involved, most frequent first. */
  addresses: string[];
  reading: TakeoverReading;
  /** The takeovers are this device's own reconnects (its address steady, changing or alternating between networks). */
  ownReconnects: boolean;
};

/**
 * One reading of the device's takeovers for every analyzer and check: an address that changed (roaming, a new DHCP
 * lease, a carrier NAT's new address at every reconnect, history from another network) is not two devices, nor is one
 * that alternates while each side keeps the session for a while; only takeovers that swap straight back, again and
 * again, are.
 */
export function readTakeoverPattern(ctx: AnalysisContext): TakeoverPattern {
  // Read by the takeover analyzer, the NAT analyzer and two checks: once per context.
  const cached = takeoverPatterns.get(ctx);
  if (cached) return cached;
  const takeovers = ctx.deviceDrops.filter((drop) => drop.reason === "session_taken_over");
  const connectTimes = ctx.connects.map((event) => event.occurredAt.getTime());
  const pairs = takeovers.map((drop) => {
    // Connects are in time order: the first at or after the takeover is its successor, the one before it the
    // connection that was taken over (a scan per takeover cost seconds on a device with thousands of them).
    const index = firstAtOrAfter(connectTimes, drop.occurredAt.getTime());
    return { drop, next: ctx.connects[index], nextIndex: index, loser: index > 0 ? ctx.connects[index - 1] : undefined };
  });
  const successors = pairs.filter(
    (pair): pair is { drop: DiagnosisEvent; next: DiagnosisEvent; nextIndex: number; loser: DiagnosisEvent | undefined } =>
      pair.next !== undefined,
  );
  const firstConnectFrom = new Map<string, number>();
  ctx.connects.forEach((event, index) => {
    if (event.clientIp && !firstConnectFrom.has(event.clientIp)) firstConnectFrom.set(event.clientIp, index);
  });
  const takenOverAt = new Map<number, number>();
  for (const { drop, nextIndex } of successors) takenOverAt.set(nextIndex - 1, drop.occurredAt.getTime());
  const endedOtherwise = endedByDropOrRefusal(ctx, takenOverAt);
  // The device's own report of its connection failing: the takeover that follows is its reconnect, not another client.
  const deviceDropTimes = ctx.events
    .filter((event) => event.side === "device" && event.kind === "disconnected")
    .map((event) => event.occurredAt.getTime());
  const deviceSawDrop = (from: number, to: number) => (deviceDropTimes[firstAtOrAfter(deviceDropTimes, from)] ?? Infinity) <= to;

  let alternations = 0;
  let swapBacks = 0;
  let quickSwapBacks = 0;
  let longestPingPong = 0;
  let run = 0;
  let runEndsAt = -1;
  let longestOneAddressPingPong = 0;
  let oneAddressRun = 0;
  let holds = 0;
  const stays: number[] = [];
  const swapStaysFrom = new Map<string, number[]>();
  for (const { drop, next, nextIndex, loser } of successors) {
    if (!loser?.clientIp || !next.clientIp || loser.clientIp === next.clientIp) {
      const [since, at] = [loser?.occurredAt.getTime() ?? 0, drop.occurredAt.getTime()];
      const quick = loser !== undefined && at - since < QUICK_RETURN_MS && !deviceSawDrop(since, at);
      // The connections are chained when this one replaced what the previous takeover brought in.
      oneAddressRun =
        quick && loser?.clientIp && loser.clientIp === next.clientIp ? (runEndsAt === nextIndex - 1 ? oneAddressRun + 1 : 1) : 0;
      longestOneAddressPingPong = Math.max(longestOneAddressPingPong, oneAddressRun);
      runEndsAt = nextIndex;
      run = 0;
      continue;
    }
    oneAddressRun = 0;
    alternations += 1;
    const stay = drop.occurredAt.getTime() - loser.occurredAt.getTime();
    stays.push(stay);
    if ((firstConnectFrom.get(next.clientIp) ?? Infinity) >= nextIndex - 1) {
      run = 0;
      continue;
    }
    swapBacks += 1;
    const staysFrom = swapStaysFrom.get(loser.clientIp);
    if (staysFrom) staysFrom.push(stay);
    else swapStaysFrom.set(loser.clientIp, [stay]);
    if (stay < QUICK_RETURN_MS) {
      quickSwapBacks += 1;
      run = runEndsAt === nextIndex - 1 ? run + 1 : 1;
      longestPingPong = Math.max(longestPingPong, run);
    } else run = 0;
    runEndsAt = nextIndex;
    if (heldOn(ctx, nextIndex, takenOverAt, endedOtherwise)) holds += 1;
  }
  let switchesAfterDrop = 0;
  for (let index = 1; index < ctx.connects.length; index += 1) {
    const [previous, current] = [ctx.connects[index - 1], ctx.connects[index]];
    if (previous?.clientIp && current?.clientIp && previous.clientIp !== current.clientIp && endedOtherwise.has(index - 1))
      switchesAfterDrop += 1;
  }

  const counts = new Map<string, number>();
  for (const { next } of successors) if (next.clientIp) counts.set(next.clientIp, (counts.get(next.clientIp) ?? 0) + 1);
  for (const { loser } of pairs) if (loser?.clientIp) counts.set(loser.clientIp, (counts.get(loser.clientIp) ?? 0) + 1);
  const firstSeen = (ip: string) => firstConnectFrom.get(ip) ?? Infinity;
  const addresses = [...counts.entries()].sort((a, b) => b[1] - a[1] || firstSeen(a[0]) - firstSeen(b[0])).map(([ip]) => ip);
  // Most changes return to an earlier address: a carrier NAT's pool can repeat one now and then, two devices always do.
  const swapping = addresses.length >= 2 && swapBacks >= 2 && swapBacks * 2 >= alternations;
  // Both devices powered, the kicked one is back within its reconnect delay, round after round; a device that moved
  // networks stays on the new one, and what it left does not come back for it.
  // A device's own reconnect takes over a connection that died unnoticed, which a connection seconds old rarely has:
  // round after round from one address is two clients behind it, or the device connecting again over a live one.
  const reading: TakeoverReading =
    swapping && (longestPingPong >= PING_PONG_RUN || steadyOnEachAddress(swapStaysFrom))
      ? "duplicate"
      : longestOneAddressPingPong >= PING_PONG_RUN
        ? "one-address-ping-pong"
        : !swapping
          ? "own"
          : holds >= 2
            ? "two-networks"
            : "cannot-tell";
  const pattern = {
    takeovers,
    successors: successors.map(({ drop, next }) => ({ drop, next })),
    alternations,
    swapBacks,
    quickSwapBacks,
    longestPingPong,
    longestOneAddressPingPong,
    holds,
    switchesAfterDrop,
    medianStayMs: median(stays),
    addresses,
    reading,
    ownReconnects: reading !== "duplicate" && reading !== "cannot-tell",
  };
  takeoverPatterns.set(ctx, pattern);
  return pattern;
}

/**
 * Devices that reconnect only when they next report (every 20 min, say) ping-pong slowly, but each is kicked after the
 * other's fixed interval: on the two busiest addresses, every stay is about as long as the others. A network's outages
 * and recoveries come at no such beat.
 */
function steadyOnEachAddress(staysFrom: ReadonlyMap<string, number[]>): boolean {
  const busiest = [...staysFrom.values()].sort((a, b) => b.length - a.length).slice(0, 2);
  return (
    busiest.length === 2 &&
    busiest.every((stays) => stays.length >= STEADY_MIN_STAYS && robustSpread(stays) <= STEADY_SPREAD * median(stays))
  );
}

/** Connections (by connect index) that ended in a drop other than a takeover, or were followed by a refused connect. */
function endedByDropOrRefusal(ctx: AnalysisContext, takenOverAt: ReadonlyMap<number, number>): Set<number> {
  const connectTimes = ctx.connects.map((event) => event.occurredAt.getTime());
  const ended = new Set<number>();
  const others = [...ctx.drops, ...ctx.failures].filter((event) => event.reason !== "session_taken_over");
  for (const event of others) {
    // The connection before the event: a drop at the very moment of a connect belongs to the one it replaced.
    const index = firstAtOrAfter(connectTimes, event.occurredAt.getTime()) - 1;
    if (index >= 0 && !takenOverAt.has(index)) ended.add(index);
  }
  return ended;
}

/** Whether the connection at `index` kept the session: not taken over within LONG_HOLD_MS, seen that long or ended otherwise. */
function heldOn(
  ctx: AnalysisContext,
  index: number,
  takenOverAt: ReadonlyMap<number, number>,
  endedOtherwise: ReadonlySet<number>,
): boolean {
  const start = ctx.connects[index]?.occurredAt.getTime() ?? 0;
  const takenOver = takenOverAt.get(index);
  if (takenOver !== undefined) return takenOver - start >= LONG_HOLD_MS;
  if (endedOtherwise.has(index)) return true;
  const seenUntil = ctx.connects[index + 1]?.occurredAt.getTime() ?? ctx.window.to.getTime();
  return seenUntil - start >= LONG_HOLD_MS;
}

const takeoverPatterns = new WeakMap<AnalysisContext, TakeoverPattern>();

export function detectClientIdTakeover(ctx: AnalysisContext): DraftFinding[] {
  const pattern = readTakeoverPattern(ctx);
  const { takeovers, successors, alternations, swapBacks, quickSwapBacks, addresses, reading } = pattern;
  if (takeovers.length < MIN_TAKEOVERS) return [];
  const last = takeovers.at(-1);
  if (!last) return [];
  const codes = [...new Set(takeovers.map((drop) => drop.code).filter((code): code is string => code !== null))];
  const eventIds = successors.flatMap(({ drop, next }) => [drop.id, next.id]);

  if (reading === "duplicate") {
    const [a, b] = addresses;
    return [
      {
        analyzer: "client-id-takeover",
        title: "Duplicate client ID (takeover ping-pong)",
        verdict: `Two devices share client ID ${ctx.deviceId}: ${takeovers.length} takeovers alternate between ${a} and ${b}${addresses.length > 2 ? ` (and ${addresses.length - 2} more addresses)` : ""}.`,
        severity: "critical",
        confidence: clamp(0.6 + 0.38 * Math.min(1, quickSwapBacks / 10), 0, 0.98),
        evidence: {
          eventIds,
          stats: { takeovers: takeovers.length, alternations, swapBacks, quickSwapBacks, addresses: addresses.join(", ") },
          range: rangeAround(last.occurredAt, last.occurredAt, 3 * 60_000),
        },
        codes: [...codes, "mqtt5:0x8E"].filter((code, index, all) => all.indexOf(code) === index),
        steps: [
          {
            text: `Give each physical device its own client ID; find the second one at ${b ?? "the other address"}`,
            check: "unique-client-id",
          },
          { text: "Stop extra processes on one device that connect with the same ID", check: "manual" },
        ],
      },
    ];
  }
  const range = rangeAround(last.occurredAt);
  if (reading === "two-networks" || reading === "cannot-tell") return [alternatingFinding(ctx, pattern, eventIds, codes, range)];
  if (reading === "one-address-ping-pong") {
    const [address] = addresses;
    return [
      {
        analyzer: "client-id-takeover",
        title: "Session ping-pong from one address (two clients on one ID, or reconnects over a live connection)",
        verdict: `The session was taken over ${takeovers.length} times from ${address}, up to ${pattern.longestOneAddressPingPong} times in a row within minutes of the connection it replaced. A reconnect takes over a connection that died unnoticed, which one minutes old rarely has unless a NAT on the path forgets idle flows within a minute: otherwise two clients behind this address use client ID ${ctx.deviceId} (two processes on the device, or two devices behind one NAT), or the device opens a new connection while its old one is still alive. One address cannot tell these apart: the device's own log of its connection failing, its processes and the devices behind its router would.`,
        // Also what a NAT that forgets flows within a minute does to a device reconnecting over it: no alarm of its own.
        severity: "info",
        confidence: 0.4,
        evidence: {
          eventIds,
          stats: { takeovers: takeovers.length, run: pattern.longestOneAddressPingPong, addresses: addresses.join(", ") },
          range,
        },
        codes,
        steps: [
          {
            text: `Make sure only one process and one device behind ${address ?? "this address"} use this client ID`,
            check: "unique-client-id",
          },
          { text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" },
        ],
      },
    ];
  }
  // A reconnect from a new address at most takeovers: the address changes as the device reconnects.
  const changingAddress = alternations >= 2 && alternations * 2 >= takeovers.length;
  if (addresses.length > 0 && !changingAddress) {
    const from =
      addresses.length === 1
        ? `every connect from the same address (${addresses[0]})`
        : `${alternations === 0 ? "each" : `all but ${alternations}`} from the address of the connection it replaced (its address changed ${alternations === 0 ? "between takeovers" : alternations === 1 ? "at one" : `at ${alternations}`}: ${listAddresses(addresses)})`;
    return [
      {
        analyzer: "client-id-takeover",
        title: "Session taken over by the device's own reconnects",
        verdict: `The session was taken over ${takeovers.length} times, ${from}: the device reconnects before the server noticed its old connection was gone.`,
        severity: "info",
        confidence: clamp(0.4 + 0.3 * Math.min(1, takeovers.length / 10)),
        evidence: { eventIds, stats: { takeovers: takeovers.length, addresses: addresses.join(", ") }, range },
        codes,
        steps: [{ text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" }],
      },
    ];
  }
  if (addresses.length === 0) {
    // Some formats carry no client address: a second device and the device's own fast reconnects look the same.
    return [
      {
        analyzer: "client-id-takeover",
        title: "Session takeovers (cause not visible in the data)",
        verdict: `The session was taken over ${takeovers.length} times. These events carry no client address, so a second device using client ID ${ctx.deviceId} cannot be told apart from this device reconnecting before the server noticed its old connection was gone: the address of each connect (broker or load-balancer logs), or a check that no other device is configured with this ID, would tell them apart.`,
        severity: "warning",
        confidence: clamp(0.4 + 0.2 * Math.min(1, takeovers.length / 10)),
        evidence: { eventIds, stats: { takeovers: takeovers.length }, range },
        codes,
        steps: [
          { text: "Make sure no other device or process is configured with this client ID", check: "manual" },
          { text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" },
        ],
      },
    ];
  }
  return [
    {
      analyzer: "client-id-takeover",
      title: "Session takeovers from a changing address",
      verdict: `The session was taken over ${takeovers.length} times, ${alternations} of them by a connect from a new address (${addresses.length} addresses${swapBacks > 0 ? `, ${swapBacks} changes back to an earlier one` : ", none returning"}: ${listAddresses(addresses)}): a device whose address changes as it reconnects (carrier NAT, roaming between networks) reconnecting before the server noticed its old connection was gone. A second device using the ID would come back from its own address again and again.`,
      severity: "info",
      confidence: clamp(0.35 + 0.25 * Math.min(1, takeovers.length / 10)),
      evidence: { eventIds, stats: { takeovers: takeovers.length, alternations, swapBacks, addresses: addresses.join(", ") }, range },
      codes,
      steps: [{ text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" }],
    },
  ];
}

/**
 * Takeovers swapping between addresses without a ping-pong: a device moving between two networks when each side kept
 * the session for a while, else a pattern the data cannot pin on a second device or on the device's own switching.
 */
function alternatingFinding(
  ctx: AnalysisContext,
  pattern: TakeoverPattern,
  eventIds: string[],
  codes: string[],
  range: EvidenceRange,
): DraftFinding {
  const { takeovers, alternations, swapBacks, quickSwapBacks, holds, switchesAfterDrop, medianStayMs, addresses, reading } = pattern;
  const [a, b] = addresses;
  const between = `${a} and ${b}${addresses.length > 2 ? ` (and ${addresses.length - 2} more addresses)` : ""}`;
  const stats = {
    takeovers: takeovers.length,
    alternations,
    swapBacks,
    quickSwapBacks,
    holds,
    switchesAfterDrop,
    addresses: addresses.join(", "),
  };
  const afterDrops =
    switchesAfterDrop > 0
      ? `; ${switchesAfterDrop} ${switchesAfterDrop === 1 ? "switch" : "switches"} came after a drop or a refused connect, the network failing first`
      : "";
  const backoff = { text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" } as const;
  if (reading === "two-networks") {
    return {
      analyzer: "client-id-takeover",
      title: "Session takeovers as the device moves between two networks",
      verdict: `The session was taken over ${takeovers.length} times as the connection moved between ${between}: each address kept it for a while (median ${formatPeriod(medianStayMs)}) and ${holds} times the address left behind did not come back for it${afterDrops}. A device switching networks (Wi-Fi and cellular failover, a dual-SIM modem, a backup uplink) reconnects on the other one before the server noticed its old connection was gone; a second device using client ID ${ctx.deviceId} would take the session back within its reconnect delay, again and again.`,
      severity: "info",
      confidence: clamp(0.35 + 0.2 * Math.min(1, holds / 6)),
      evidence: { eventIds, stats, range },
      codes,
      steps: [backoff, { text: "Close the old connection when the device switches networks", check: "manual" }],
    };
  }
  return {
    analyzer: "client-id-takeover",
    title: "Session takeovers between two addresses (a second device or the device switching networks)",
    verdict: `The session was taken over ${takeovers.length} times, swapping ${swapBacks} times back to an address seen before (${between}${afterDrops}). Two devices sharing client ID ${ctx.deviceId} would keep taking it from each other within their reconnect delays, a device switching between two networks would stay on each for a while; these events are too few or too even to tell which: a longer history, or a check that no other device is configured with this ID, would.`,
    severity: "warning",
    confidence: clamp(0.35 + 0.15 * Math.min(1, quickSwapBacks / 4)),
    evidence: { eventIds, stats, range },
    codes,
    steps: [
      {
        text: `Make sure no other device or process is configured with this client ID; look at ${b ?? "the other address"}`,
        check: "unique-client-id",
      },
      backoff,
    ],
  };
}

function listAddresses(addresses: readonly string[]): string {
  return addresses.length > 3 ? `${addresses.slice(0, 3).join(", ")} and ${addresses.length - 3} more` : addresses.join(", ");
}
