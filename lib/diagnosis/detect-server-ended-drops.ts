import type { Reason } from "@/lib/events/connection-event.ts";
import type { ResolutionStep } from "@/lib/knowledge/types.ts";
import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, formatPeriod, formatUtc, median, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

/** A connection that ends this soon after its CONNACK ended at the device's first action, not after living a while. */
export const RIGHT_AFTER_CONNECT_MS = 10_000;
/** Fewest such connections before they are a pattern; and the share of the device's own drops they must be. */
export const MIN_RIGHT_AFTER_CONNECT = 3;
const MIN_RIGHT_AFTER_CONNECT_SHARE = 0.5;
/** Fewest protocol-violation or server-error drops that make a finding (one is an incident). */
export const MIN_PROTOCOL_ERRORS = 2;
export const MIN_SERVER_ERRORS = 3;

const AUTH_REASONS: ReadonlySet<Reason> = new Set(["not_authorized", "auth_failed"]);
/** Other findings name these: a takeover is another client, a clean disconnect the device's choice, an expiry its token. */
const NAMED_ELSEWHERE: ReadonlySet<Reason> = new Set([
  "session_taken_over",
  "client_disconnect",
  "throttled",
  "quota_exceeded",
  "credential_expired",
]);

type Cause = "auth" | "protocol" | "closed";

const CAUSES: Record<Cause, { title: string; because: string; steps: ResolutionStep[] }> = {
  auth: {
    title: "Connections ended right after connecting (not authorized)",
    because:
      "the broker accepts the connection, then ends it for authorization at the device's first subscribe or publish: that topic is one its policy or ACL does not allow (AWS IoT ends the connection on a denied action), not an expiring credential",
    steps: [
      {
        text: "Compare the topics the device subscribes and publishes to right after connecting with its policy or ACL",
        check: "manual",
      },
      { text: "Read the broker's authorization log at these times for the denied action and topic", check: "manual" },
    ],
  },
  protocol: {
    title: "Connections ended right after connecting (protocol violation)",
    because:
      "the broker ends the connection at the device's first packets: one breaks a protocol rule or limit (a payload over the size limit, an invalid topic, a second CONNECT, a QoS or feature the broker does not support)",
    steps: [
      { text: "Check the first packets the device sends against the broker's limits and its client library", check: "protocol-clean" },
    ],
  },
  closed: {
    title: "Connections ended right after connecting",
    because:
      "something closes the connection as soon as it is open: the device's own code (a crash or a close on its first error), or a proxy or firewall on the path; the device's log right after CONNACK tells which",
    steps: [
      { text: "Read the device's log for the seconds after CONNACK: a crash, an exception or a deliberate close", check: "manual" },
      { text: "Connect from the device's network with a known-good client to rule out a proxy or firewall", check: "manual" },
    ],
  },
};

function causeOf(drops: readonly DiagnosisEvent[]): Cause {
  const most = (test: (drop: DiagnosisEvent) => boolean) => drops.filter(test).length * 2 > drops.length;
  if (most((drop) => AUTH_REASONS.has(drop.reason))) return "auth";
  if (most((drop) => drop.reason === "protocol_error")) return "protocol";
  return "closed";
}

/** Quick drops within this span, with connections that lasted after them, are one episode (an update, a restart). */
const ONE_EPISODE_MS = 10 * 60_000;

/**
 * Connections that lived past RIGHT_AFTER_CONNECT_MS, however they ended: a drop, a clean disconnect, or still open at
 * the window's end. Only drops were counted, so a device connected for days after one bad minute had "none lasted".
 */
function lastingConnects(ctx: AnalysisContext): DiagnosisEvent[] {
  const lasting: DiagnosisEvent[] = [];
  let open: DiagnosisEvent | null = null;
  const endOf = (connect: DiagnosisEvent, at: Date) => {
    if (at.getTime() - connect.occurredAt.getTime() >= RIGHT_AFTER_CONNECT_MS) lasting.push(connect);
  };
  for (const event of ctx.events) {
    if (event.kind === "connected") {
      if (open) endOf(open, event.occurredAt);
      open = event;
    } else if (event.kind === "disconnected" && open) {
      endOf(open, event.occurredAt);
      open = null;
    }
  }
  if (open) endOf(open, ctx.window.to);
  return lasting;
}

const codesOf = (drops: readonly DiagnosisEvent[]) => [
  ...new Set(drops.map((drop) => drop.code).filter((code): code is string => code !== null)),
];

/**
 * Connections that live only seconds, again and again: the broker (or something on the path) ends each one at the
 * device's first action. Backoff between the attempts does not make it healthy, and the codes alone mislead: an
 * authorization cut 200 ms in is a denied topic, not a credential that expired while connected.
 */
export function detectDropsRightAfterConnect(
  ctx: AnalysisContext,
  explained: ReadonlySet<string>,
  retryLoop: ReadonlySet<string>,
): DraftFinding[] {
  const own = ctx.uptimes.filter((uptime) => !explained.has(uptime.drop.id) && !NAMED_ELSEWHERE.has(uptime.drop.reason));
  const quick = own.filter((uptime) => uptime.durationMs < RIGHT_AFTER_CONNECT_MS);
  if (quick.length < MIN_RIGHT_AFTER_CONNECT || quick.length < own.length * MIN_RIGHT_AFTER_CONNECT_SHARE) return [];
  const drops = quick.map((uptime) => uptime.drop);
  const last = drops.at(-1);
  if (!last) return [];
  const cause = CAUSES[causeOf(drops)];
  const typical = median(quick.map((uptime) => uptime.durationMs));
  const lasting = lastingConnects(ctx);
  const longer = lasting.length;
  const codes = codesOf(drops);
  // Inside a retry loop without backoff, the loop is the finding that leads (it loads the broker); this one says why
  // each of its connections ends, below it.
  const inLoop = drops.filter((drop) => retryLoop.has(drop.id)).length * 2 >= drops.length;
  // One bad minute that the device got over (its connections lasted again) is an incident, not its state.
  const first = drops[0] ?? last;
  const oneEpisode =
    last.occurredAt.getTime() - first.occurredAt.getTime() <= ONE_EPISODE_MS &&
    lasting.some((connect) => connect.occurredAt.getTime() > last.occurredAt.getTime());
  const confidence = clamp(0.7 + 0.2 * Math.min(1, quick.length / 10), 0, 0.9);
  return [
    {
      analyzer: "drops-right-after-connect",
      title: cause.title,
      verdict: `${quick.length} connections ended ${formatPeriod(typical)} after connecting (median)${codes.length > 0 ? ` with ${codes.slice(0, 2).join(", ")}` : ""}${longer > 0 ? `; ${longer} lasted longer` : ", none lasted longer"}: ${cause.because}.${oneEpisode ? ` They all came within ${formatPeriod(last.occurredAt.getTime() - first.occurredAt.getTime())} from ${formatUtc(first.occurredAt)} and the connections after them lasted: one episode (an update, a restart), not how the device is now.` : ""}`,
      severity: inLoop || oneEpisode ? "info" : longer === 0 ? "critical" : "warning",
      confidence: oneEpisode ? Math.min(confidence, 0.5) : inLoop ? Math.min(confidence, 0.6) : confidence,
      evidence: {
        eventIds: drops.map((drop) => drop.id),
        stats: { drops: quick.length, longer, medianUptimeMs: typical },
        range: rangeAround(first.occurredAt, last.occurredAt),
      },
      codes,
      steps: cause.steps,
    },
  ];
}

/** Connections the server ended for protocol violations after they had lived a while (a message, not the first one). */
export function detectProtocolErrors(ctx: AnalysisContext, explained: ReadonlySet<string>): DraftFinding[] {
  const drops = ctx.deviceDrops.filter((drop) => drop.reason === "protocol_error" && !explained.has(drop.id));
  const last = drops.at(-1);
  if (drops.length < MIN_PROTOCOL_ERRORS || !last) return [];
  const codes = codesOf(drops);
  return [
    {
      analyzer: "protocol-errors",
      title: "Connections ended for protocol violations",
      verdict: `The server ended ${drops.length} connections for protocol violations${codes.length > 0 ? ` (${codes.slice(0, 2).join(", ")})` : ""}: the device sometimes sends a packet that breaks a rule or limit, typically a payload over the broker's size limit, an invalid topic, or a second CONNECT from a client-library bug.`,
      severity: "warning",
      confidence: clamp(0.7 + 0.15 * Math.min(1, drops.length / 6), 0, 0.85),
      evidence: { eventIds: drops.map((drop) => drop.id), stats: { drops: drops.length }, range: rangeAround(last.occurredAt) },
      codes,
      steps: [
        { text: "Compare the device's largest payloads and its topics with the broker's limits", check: "protocol-clean" },
        { text: "Update the client library if it sends a second CONNECT or malformed packets", check: "manual" },
      ],
    },
  ];
}

/** Connections the server ended with its own internal errors, on this device and not fleet-wide. */
export function detectServerErrors(ctx: AnalysisContext): DraftFinding[] {
  const drops = ctx.deviceDrops.filter((drop) => drop.reason === "server_error");
  const last = drops.at(-1);
  if (drops.length < MIN_SERVER_ERRORS || !last) return [];
  const codes = codesOf(drops);
  const own = ctx.deviceDrops.length;
  return [
    {
      analyzer: "server-errors",
      title: "Connections ended by server errors",
      verdict: `The server ended ${drops.length} of this device's ${own} drops with its own errors${codes.length > 0 ? ` (${codes.slice(0, 2).join(", ")})` : ""}: a fault on the broker's side, not the device's. The device reconnecting is the right response; if it persists, give the broker's operator these times.`,
      severity: "warning",
      confidence: clamp(0.65 + 0.2 * Math.min(1, drops.length / 10) * (drops.length / Math.max(1, own)), 0, 0.85),
      evidence: {
        eventIds: drops.map((drop) => drop.id),
        stats: { drops: drops.length, deviceDrops: own },
        range: rangeAround(last.occurredAt),
      },
      codes,
      steps: [
        { text: "Ask the broker's operator about server errors at these times (their logs, a node restarting)", check: "manual" },
        { text: "Reconnect within seconds after a server error", check: "reconnects-quickly" },
      ],
    },
  ];
}
