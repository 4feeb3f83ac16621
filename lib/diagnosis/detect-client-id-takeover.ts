import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, firstAtOrAfter, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

export const MIN_TAKEOVERS = 3;

/**
 * Two devices sharing one client ID take the session from each other and each comes back from its own address, so
 * takeovers swap back to an address seen before. A device whose address changes as it reconnects (carrier NAT, roaming)
 * takes its own session over from a new address each time; one whose address never changes, from the same one.
 */
export type TakeoverPattern = {
  takeovers: DiagnosisEvent[];
  successors: { drop: DiagnosisEvent; next: DiagnosisEvent }[];
  /** Takeovers whose new connection came from another address than the connection it replaced. */
  alternations: number;
  /** Of those, the ones whose new address had connected before: the other device coming back. */
  swapBacks: number;
  /** Addresses of the connects involved, most frequent first. */
  addresses: string[];
  /** Two devices sharing the ID: takeovers that swap back and forth between addresses, not addresses that change. */
  duplicateClientId: boolean;
};

/**
 * One reading of the device's takeovers for every analyzer and check: an address that changed (roaming, a new DHCP
 * lease, a carrier NAT's new address at every reconnect, history from another network) is not two devices; only
 * takeovers that swap back to an address seen before are.
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
    return { drop, next: ctx.connects[index], loser: index > 0 ? ctx.connects[index - 1] : undefined, loserIndex: index - 1 };
  });
  const successors = pairs.filter(
    (pair): pair is { drop: DiagnosisEvent; next: DiagnosisEvent; loser: DiagnosisEvent | undefined; loserIndex: number } =>
      pair.next !== undefined,
  );
  const firstConnectFrom = new Map<string, number>();
  ctx.connects.forEach((event, index) => {
    if (event.clientIp && !firstConnectFrom.has(event.clientIp)) firstConnectFrom.set(event.clientIp, index);
  });
  let alternations = 0;
  let swapBacks = 0;
  for (const { next, loser, loserIndex } of successors) {
    if (!loser?.clientIp || !next.clientIp || loser.clientIp === next.clientIp) continue;
    alternations += 1;
    if ((firstConnectFrom.get(next.clientIp) ?? Infinity) < loserIndex) swapBacks += 1;
  }
  const counts = new Map<string, number>();
  for (const { next } of successors) if (next.clientIp) counts.set(next.clientIp, (counts.get(next.clientIp) ?? 0) + 1);
  for (const { loser } of pairs) if (loser?.clientIp) counts.set(loser.clientIp, (counts.get(loser.clientIp) ?? 0) + 1);
  const firstSeen = (ip: string) => firstConnectFrom.get(ip) ?? Infinity;
  const addresses = [...counts.entries()].sort((a, b) => b[1] - a[1] || firstSeen(a[0]) - firstSeen(b[0])).map(([ip]) => ip);
  const pattern = {
    takeovers,
    successors: successors.map(({ drop, next }) => ({ drop, next })),
    alternations,
    swapBacks,
    addresses,
    // Most changes return to an earlier address: a carrier NAT's pool can repeat one now and then, two devices always do.
    duplicateClientId: addresses.length >= 2 && swapBacks >= 2 && swapBacks * 2 >= alternations,
  };
  takeoverPatterns.set(ctx, pattern);
  return pattern;
}

const takeoverPatterns = new WeakMap<AnalysisContext, TakeoverPattern>();

export function detectClientIdTakeover(ctx: AnalysisContext): DraftFinding[] {
  const { takeovers, successors, alternations, swapBacks, addresses, duplicateClientId } = readTakeoverPattern(ctx);
  if (takeovers.length < MIN_TAKEOVERS) return [];
  const last = takeovers.at(-1);
  if (!last) return [];
  const codes = [...new Set(takeovers.map((drop) => drop.code).filter((code): code is string => code !== null))];
  const eventIds = successors.flatMap(({ drop, next }) => [drop.id, next.id]);

  if (duplicateClientId) {
    const [a, b] = addresses;
    return [
      {
        analyzer: "client-id-takeover",
        title: "Duplicate client ID (takeover ping-pong)",
        verdict: `Two devices share client ID ${ctx.deviceId}: ${takeovers.length} takeovers alternate between ${a} and ${b}${addresses.length > 2 ? ` (and ${addresses.length - 2} more addresses)` : ""}.`,
        severity: "critical",
        confidence: clamp(0.6 + 0.38 * Math.min(1, swapBacks / 10), 0, 0.98),
        evidence: {
          eventIds,
          stats: { takeovers: takeovers.length, alternations, swapBacks, addresses: addresses.join(", ") },
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

function listAddresses(addresses: readonly string[]): string {
  return addresses.length > 3 ? `${addresses.slice(0, 3).join(", ")} and ${addresses.length - 3} more` : addresses.join(", ");
}
