import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, firstAtOrAfter, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

export const MIN_TAKEOVERS = 3;

/**
 * Takeovers whose successors come from alternating addresses mean two devices share one client ID; takeovers
 * from the same address are a device reconnecting before the server noticed its old connection was gone.
 */
export type TakeoverPattern = {
  takeovers: DiagnosisEvent[];
  successors: { drop: DiagnosisEvent; next: DiagnosisEvent }[];
  /** Takeovers whose new connection came from another address than the connection it replaced. */
  alternations: number;
  /** Addresses of the connects involved, most frequent first. */
  addresses: string[];
  /** Two devices sharing the ID: takeovers that swap between addresses, not one address change. */
  duplicateClientId: boolean;
};

/**
 * One reading of the device's takeovers for every analyzer and check: an address that changed once (roaming, a new
 * DHCP lease, history from another network) is not two devices; only takeovers that swap addresses are.
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
    return { drop, next: ctx.connects[index], loser: index > 0 ? ctx.connects[index - 1] : undefined };
  });
  const successors = pairs.filter(
    (pair): pair is { drop: DiagnosisEvent; next: DiagnosisEvent; loser: DiagnosisEvent | undefined } => pair.next !== undefined,
  );
  const alternations = successors.filter(({ next, loser }) => loser?.clientIp && next.clientIp && loser.clientIp !== next.clientIp).length;
  const counts = new Map<string, number>();
  for (const { next } of successors) if (next.clientIp) counts.set(next.clientIp, (counts.get(next.clientIp) ?? 0) + 1);
  for (const { loser } of pairs) if (loser?.clientIp) counts.set(loser.clientIp, (counts.get(loser.clientIp) ?? 0) + 1);
  const firstSeen = (ip: string) => ctx.connects.findIndex((event) => event.clientIp === ip);
  const addresses = [...counts.entries()].sort((a, b) => b[1] - a[1] || firstSeen(a[0]) - firstSeen(b[0])).map(([ip]) => ip);
  const pattern = {
    takeovers,
    successors: successors.map(({ drop, next }) => ({ drop, next })),
    alternations,
    addresses,
    duplicateClientId: addresses.length >= 2 && alternations >= 2,
  };
  takeoverPatterns.set(ctx, pattern);
  return pattern;
}

const takeoverPatterns = new WeakMap<AnalysisContext, TakeoverPattern>();

export function detectClientIdTakeover(ctx: AnalysisContext): DraftFinding[] {
  const { takeovers, successors, alternations, addresses, duplicateClientId } = readTakeoverPattern(ctx);
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
        confidence: clamp(0.6 + 0.38 * Math.min(1, alternations / 10), 0, 0.98),
        evidence: {
          eventIds,
          stats: { takeovers: takeovers.length, alternations, addresses: addresses.join(", ") },
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
  if (addresses.length === 1) {
    return [
      {
        analyzer: "client-id-takeover",
        title: "Session taken over by the device's own reconnects",
        verdict: `The session was taken over ${takeovers.length} times, every connect from the same address (${addresses[0]}): the device reconnects before the server noticed its old connection was gone.`,
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
      title: "Session takeovers from changing addresses",
      verdict: `The session was taken over ${takeovers.length} times with connects from ${addresses.length} addresses (${addresses.slice(0, 3).join(", ")}) that do not alternate: more likely an address change (roaming, DHCP, carrier NAT) with fast reconnects than two devices sharing the ID; takeovers that alternate between two addresses would point to a duplicate client ID.`,
      severity: "info",
      confidence: clamp(0.35 + 0.25 * Math.min(1, takeovers.length / 10)),
      evidence: { eventIds, stats: { takeovers: takeovers.length, addresses: addresses.join(", ") }, range },
      codes,
      steps: [{ text: "Reconnect only after the old connection is closed, with backoff", check: "reconnect-backoff" }],
    },
  ];
}
