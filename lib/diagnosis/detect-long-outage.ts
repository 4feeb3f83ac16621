import type { ResolutionStep } from "@/lib/knowledge/types.ts";
import { LATE_DISCONNECT_MS, type AnalysisContext } from "./analysis-context.ts";
import { clamp, firstAtOrAfter, formatPeriod, formatUtc } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding, Severity } from "./types.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

/** The most an outage is believed when the feed has lost connect records before: a missing connect proves little. */
const UNRECORDED_CONNECTS_CONFIDENCE = 0.5;
/** Offline for less than this is a reconnect in progress, not an outage worth a finding. */
const MIN_OUTAGE_MS = 30 * MINUTE_MS;
/** How many times its longest earlier spell offline a device must stay away before its absence is unusual. */
const OWN_RHYTHM_FACTOR = 3;

type Cause = { text: string; severity: Severity; steps: ResolutionStep[] };

const CHECK_THE_DEVICE: ResolutionStep[] = [
  { text: "Check the device's power and its network link (site, SIM or Wi-Fi status) since its last drop", check: "manual" },
  { text: "Read the device's own log from the time of its last drop (a crash, a hung connection loop)", check: "manual" },
];

/** What the record that ended the last connection says about why nothing came after it. */
function causeOf(end: DiagnosisEvent, ctx: AnalysisContext): Cause {
  if (ctx.fleetWide.has(end.id) || ctx.probeFailed.has(end.id))
    return {
      text: "it dropped together with other devices of its fleet, or while our probe of the broker failed: the server or the network, not the device",
      severity: "info",
      steps: [
        { text: "Check whether the broker and the network path to it are reachable again", check: "manual" },
        {
          text: "If the rest of the fleet is back, restart this device's connection loop: its reconnects may have given up",
          check: "manual",
        },
      ],
    };
  switch (end.reason) {
    case "client_disconnect":
      return {
        text: "it closed that connection itself (switched off, asleep, or its application stopped)",
        severity: "info",
        steps: [{ text: "Ask whether the device was switched off, put to sleep or taken out of service on purpose", check: "manual" }],
      };
    case "server_shutdown":
    case "server_error":
    case "admin_disconnect":
      return {
        text: "the server ended it: the device's reconnects gave up or cannot reach the server",
        severity: "warning",
        steps: [
          { text: "Restart the device's connection loop or the device: reconnects should go on, with backoff, for ever", check: "manual" },
          ...CHECK_THE_DEVICE.slice(1),
        ],
      };
    case "keepalive_timeout":
    case "idle_timeout":
      return {
        text: "the broker stopped hearing from the device (a keepalive timeout): it lost power or its network, or it hung",
        severity: "warning",
        steps: CHECK_THE_DEVICE,
      };
    default:
      return {
        text: "that connection was lost: the device lost power or its network, or its software stopped",
        severity: "warning",
        steps: CHECK_THE_DEVICE,
      };
  }
}

/**
 * A device whose last connection ended long before the end of the window and has not connected since: the first
 * thing support needs to hear, whatever patterns its earlier history shows. "Long" is measured against the device's own
 * rhythm (a device that sleeps ten hours every night is not missing after nine). A critical finding that holds the
 * last drop (no connection lasts, every connect refused) says why it cannot get back, and the fleet-wide one that the
 * drop was not the device's: those lead.
 */
export function detectLongOutage(ctx: AnalysisContext, others: readonly DraftFinding[]): DraftFinding[] {
  // Device-side reports list errors, not every connect: only the broker's records say the device stayed away.
  const broker = (event: DiagnosisEvent) => event.side !== "device";
  const connects = ctx.connects.filter(broker);
  const ends = [...ctx.drops, ...ctx.cleanDisconnects].filter(broker).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const end = ends.at(-1);
  const lastConnect = connects.at(-1);
  if (!end || !lastConnect || endsAnEarlierConnection(end, connects, ends)) return [];
  if (deviceReportedSince(end, ctx)) return [];
  const offlineMs = ctx.window.to.getTime() - end.occurredAt.getTime();
  const longestEarlier = longestOfflineSpell(connects, ends.slice(0, -1));
  const unusualAfterMs = Math.max(MIN_OUTAGE_MS, OWN_RHYTHM_FACTOR * longestEarlier);
  if (offlineMs < unusualAfterMs) return [];

  const cause = causeOf(end, ctx);
  const refused = ctx.failures.filter((failure) => failure.occurredAt.getTime() > end.occurredAt.getTime());
  const refusedCodes = [...new Set(refused.map((failure) => failure.code).filter((code): code is string => code !== null))];
  const lastRefused = refused.at(-1);
  const since = lastRefused
    ? ` Since then ${refused.length} connect${refused.length === 1 ? " was" : "s were"} refused${refusedCodes.length ? ` (${refusedCodes.slice(0, 3).join(", ")})` : ""}, the last at ${formatUtc(lastRefused.occurredAt)}${ctx.window.to.getTime() - lastRefused.occurredAt.getTime() >= MIN_OUTAGE_MS ? ", and no attempt came after it" : ""}: the refusals say why it cannot get back.`
    : cause.severity === "info"
      ? ""
      : " Not one connect attempt reached the broker since, not even a refused one: look at the device itself.";
  // A critical finding that holds the last drop says why the device cannot get back; the fleet-wide one, that it was not the device.
  const explaining = others.filter(
    (finding) => (finding.severity === "critical" || finding.analyzer === "fleet-wide-drops") && finding.evidence.eventIds.includes(end.id),
  );
  const why = explaining[0] ? ` See "${explaining[0].title}".` : "";
  const rhythm = longestEarlier > 0 ? ` Its longest earlier time offline in this window was ${formatPeriod(longestEarlier)}.` : "";
  const unrecorded = lostRecords(connects, ends);
  const lostConnects =
    unrecorded > 0
      ? ` But this feed has lost records before (${unrecorded} connect${unrecorded === 1 ? "" : "s"} or disconnect${unrecorded === 1 ? "" : "s"} missing between the ones it kept), so the device may be back without a record of it: its own log or a live look at the broker would tell.`
      : "";
  return [
    {
      analyzer: "long-outage",
      title: end.reason === "client_disconnect" ? "Offline since it disconnected itself" : "Offline: has not reconnected",
      verdict: `The device has not connected for ${formatPeriod(offlineMs)}${ctx.windowEndsNow ? "" : " up to the end of this window"}: its last connection ended at ${formatUtc(end.occurredAt)}${end.code ? ` (${end.code})` : ""}, and ${cause.text}.${since}${why}${rhythm}${lostConnects}`,
      severity: cause.severity,
      // Above most history patterns once the absence is clearly long: "offline now" is what support needs first; not
      // when the feed has shown that it loses connects, since then a missing connect is no evidence of an absence.
      confidence: Math.min(
        cause.severity === "info" ? 0.6 : clamp(0.85 + 0.1 * Math.min(1, offlineMs / (4 * unusualAfterMs))),
        unrecorded > 0 ? UNRECORDED_CONNECTS_CONFIDENCE : 1,
        ...explaining.map((finding) => finding.confidence - 0.05),
      ),
      evidence: {
        eventIds: [end.id, ...refused.map((failure) => failure.id)],
        stats: { offlineMs, refusedSince: refused.length, longestEarlierOfflineMs: longestEarlier },
        range: { from: new Date(end.occurredAt.getTime() - 10 * MINUTE_MS).toISOString(), to: ctx.window.to.toISOString() },
      },
      // The last drop's code is named in the verdict; its knowledge-base steps (tuning a keepalive…) do not bring a device back.
      codes: [],
      steps: cause.steps,
    },
  ];
}

/**
 * True when the device is connected after `end`: a connect came after it, or `end` is a disconnect the broker logged
 * seconds after the reconnect, of the connection before it (then the window holds more connects than ends).
 */
function endsAnEarlierConnection(end: DiagnosisEvent, connects: readonly DiagnosisEvent[], ends: readonly DiagnosisEvent[]): boolean {
  const last = connects.at(-1);
  if (!last) return false;
  const afterLastConnectMs = end.occurredAt.getTime() - last.occurredAt.getTime();
  return afterLastConnectMs <= 0 || (afterLastConnectMs <= LATE_DISCONNECT_MS && connects.length > ends.length);
}

/** The longest time from an earlier disconnect to the connect after it. */
function longestOfflineSpell(connects: readonly DiagnosisEvent[], earlierEnds: readonly DiagnosisEvent[]): number {
  const connectTimes = connects.map((event) => event.occurredAt.getTime());
  let longest = 0;
  for (const end of earlierEnds) {
    const next = connectTimes[firstAtOrAfter(connectTimes, end.occurredAt.getTime())];
    if (next !== undefined) longest = Math.max(longest, next - end.occurredAt.getTime());
  }
  return longest;
}

/** The device's own reports of a connection (a connect, or a drop of one) after the broker's last drop: it was back. */
function deviceReportedSince(end: DiagnosisEvent, ctx: AnalysisContext): boolean {
  const after = end.occurredAt.getTime() + LATE_DISCONNECT_MS;
  return [...ctx.connects, ...ctx.drops].some((event) => event.side === "device" && event.occurredAt.getTime() > after);
}

/**
 * Records the broker's feed must have lost: a disconnect with no connect since the disconnect before it (the connect of
 * the connection it ended), and a connect with no disconnect since the connect before it (the end of that connection).
 * A disconnect logged seconds after the one before it, or after the next connect, closes the same connection.
 */
function lostRecords(connects: readonly DiagnosisEvent[], ends: readonly DiagnosisEvent[]): number {
  const times = (events: readonly DiagnosisEvent[]) => events.map((event) => event.occurredAt.getTime());
  return unpaired(times(ends), times(connects), 0) + unpaired(times(connects), times(ends), LATE_DISCONNECT_MS);
}

/** Consecutive `records` (more than a late disconnect apart) with none of `between` from the first to the second + `graceMs`. */
function unpaired(records: readonly number[], between: readonly number[], graceMs: number): number {
  let count = 0;
  for (let index = 1; index < records.length; index += 1) {
    const previous = records[index - 1] ?? 0;
    const at = records[index] ?? 0;
    if (at - previous <= LATE_DISCONNECT_MS) continue;
    const next = between[firstAtOrAfter(between, previous)];
    if (next === undefined || next > at + graceMs) count += 1;
  }
  return count;
}
