import { findDuplicateReports, normalizeDeviceReport, classifyDeviceReport } from "./device-reports.ts";
import { estimateDeviceClockSegments, MAX_CLOCK_SKEW_MS, offsetAt, shiftEvent } from "./device-clock.ts";
import { findFleetWideDrops } from "./detect-fleet-wide-drops.ts";
import { findProbeFailedDrops, type ProbeEvidence, type ProbeRunEvidence } from "./probe-coincidence.ts";
import { findRenewalChains, type RenewalChain } from "./detect-token-renewal.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext, MergedEvents } from "./types.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { mergeFeedRecords } from "@/lib/events/merge-feed-records.ts";

export type Uptime = { drop: DiagnosisEvent; connect: DiagnosisEvent; durationMs: number };
export type ReconnectGap = { drop: DiagnosisEvent; next: DiagnosisEvent; gapMs: number };

/** Derived views every analyzer shares, computed once per diagnosis. */
export type AnalysisContext = {
  deviceId: string;
  window: { from: Date; to: Date };
  /** See DiagnosisInput.windowEndsNow. */
  windowEndsNow: boolean;
  spanDays: number;
  /**
   * Broker-side events, one per moment two feeds of the source both logged, plus device-side reports, the reports
   * normalized into connects, drops and refusals and deduplicated against broker events of the same moment; system
   * events and other reports keep kind `device_report`.
   */
  events: DiagnosisEvent[];
  connects: DiagnosisEvent[];
  /**
   * Disconnects the client did not ask for (everything but client_disconnect), one per lost connection: a second
   * disconnect of a connection already dropped (Azure's 404104 after a 401003) is the same drop.
   */
  drops: DiagnosisEvent[];
  /**
   * For every disconnect that is not a clean one, the drop it belongs to: itself, or the earlier record of the same
   * lost connection (a renewal's 401003 stored after Event Grid's disconnect of it, a throttle logged by two sources).
   */
  dropOf: ReadonlyMap<string, DiagnosisEvent>;
  cleanDisconnects: DiagnosisEvent[];
  /** Refused connects, without the 401003 records of token renewals (those are the renewal's drop). */
  failures: DiagnosisEvent[];
  /** Device-reported system events (network change, power save, DHCP renewal, suspend, cron); not its error reports. */
  systemEvents: DiagnosisEvent[];
  /** Device-side reports that stood for a connect, drop or refusal, after deduplication against broker events. */
  deviceSideEvents: number;
  renewals: RenewalChain[];
  fleet: FleetContext | null;
  /** Drops that coincided with many devices dropping: not this device's fault. */
  fleetWide: Map<string, number>;
  probes: ProbeEvidence | null;
  /** Drops whose nearest run of our own probe of the broker failed: server or network side, like fleet-wide ones. */
  probeFailed: Map<string, ProbeRunEvidence>;
  /** Drops the device-level analyzers look at: `drops` minus the fleet-wide and probe-failed ones. */
  deviceDrops: DiagnosisEvent[];
  /** Connected time before each device drop. */
  uptimes: Uptime[];
  /** Time from each drop or refusal to the next connect attempt (connect or refusal). */
  gaps: ReconnectGap[];
  lastKeepaliveSec: number | null;
};

/** A disconnect this soon after another, with no connect between, ends the same connection. */
const SAME_DROP_MS = 60_000;

const byTime = (a: DiagnosisEvent, b: DiagnosisEvent) =>
  a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id) || a.id.localeCompare(b.id);

/** Broker events and device-side reports as one deduplicated, time-ordered list (see AnalysisContext.events). */
export function mergeDeviceReports(input: readonly DiagnosisEvent[]): MergedEvents {
  const sorted = [...input].sort(byTime);
  const broker = mergeFeedRecords(sorted.filter((event) => event.kind !== "device_report")).map((event) => ({
    ...event,
    side: "broker" as const,
  }));
  const reports = sorted.filter((event) => event.kind === "device_report");
  // The device's reports on the broker's clock first (system events too: they are timed by the same clock).
  const clock = estimateDeviceClockSegments(
    broker,
    reports.map((event) => normalizeDeviceReport(event)).filter((event) => event !== null),
  );
  const normalized: DiagnosisEvent[] = [];
  const kept: DiagnosisEvent[] = [];
  for (const report of reports) {
    const event = shiftEvent(report, offsetAt(clock, report.occurredAt.getTime()));
    const as = normalizeDeviceReport(event);
    if (as) normalized.push(as);
    else kept.push(event);
  }
  const duplicates = findDuplicateReports(broker, normalized, { isolatedWithinMs: MAX_CLOCK_SKEW_MS });
  const unique = normalized.filter((event) => !duplicates.has(event.id));
  return { events: [...broker, ...unique, ...kept].sort(byTime), deviceSide: unique.length };
}

/**
 * The agent states how long it had been connected when it dropped (`dropped after 3600 s connected`): when the
 * connect itself is not in the data (a drop list without its connections), that gives the uptime all the same.
 */
function connectReportedBy(drop: DiagnosisEvent): DiagnosisEvent | null {
  if (drop.side !== "device") return null;
  const seconds = /^dropped after (\d+(?:\.\d+)?) s connected/i.exec(drop.message ?? "")?.[1];
  if (seconds === undefined) return null;
  return {
    ...drop,
    id: `${drop.id}:connect`,
    kind: "connected",
    reason: "connected",
    occurredAt: new Date(drop.occurredAt.getTime() - Number(seconds) * 1000),
  };
}

/**
 * The uptimes of `drops`. Where the events show no connected time at all (a device-side history of drops and
 * refusals), the time since the previous drop or refusal stands in: it holds the reconnect delay too, small beside
 * the time connected. Without it a steady timer looked like drops at random.
 */
export function uptimesOf(ctx: AnalysisContext, drops: readonly DiagnosisEvent[]): Uptime[] {
  const ids = new Set(drops.map((drop) => drop.id));
  if (ctx.connects.length > 0 || ctx.uptimes.length > 0) return ctx.uptimes.filter((uptime) => ids.has(uptime.drop.id));
  const ends = [...ctx.drops, ...ctx.failures].sort(byTime);
  const uptimes: Uptime[] = [];
  let previous: DiagnosisEvent | null = null;
  for (const end of ends) {
    if (previous && ids.has(end.id))
      uptimes.push({ drop: end, connect: previous, durationMs: end.occurredAt.getTime() - previous.occurredAt.getTime() });
    previous = end;
  }
  return uptimes;
}

/** How soon after a reconnect the broker may log the end of the connection before it. */
export const LATE_DISCONNECT_MS = 10_000;

/**
 * Two connects with no disconnect between, then a disconnect seconds after the second: that disconnect ends the first
 * connection. (Connects a moment apart are one connect logged by two sources, and the disconnect ends it.)
 */
function endsEarlierConnection(disconnect: DiagnosisEvent, last: DiagnosisEvent, earlier: DiagnosisEvent): boolean {
  return (
    last.occurredAt.getTime() - earlier.occurredAt.getTime() > LATE_DISCONNECT_MS &&
    disconnect.occurredAt.getTime() - last.occurredAt.getTime() <= LATE_DISCONNECT_MS
  );
}

export function buildAnalysisContext(input: DiagnosisInput): AnalysisContext {
  const { events, deviceSide } = input.merged ?? mergeDeviceReports(input.events);
  const connects = events.filter((event) => event.kind === "connected");
  const renewals = findRenewalChains(events);
  const renewalRefusals = new Set(
    renewals
      .flatMap((chain) => chain.records)
      .filter((event) => event.kind === "connect_failed")
      .map((event) => event.id),
  );

  // The old link's records the hub logged after the device had reconnected end no connection of their own.
  const lateRecords = new Set(
    renewals.flatMap((chain) => chain.records.filter((event) => byTime(event, chain.reconnect) > 0).map((event) => event.id)),
  );
  const drops: DiagnosisEvent[] = [];
  const dropOf = new Map<string, DiagnosisEvent>();
  const cleanDisconnects: DiagnosisEvent[] = [];
  let previousDrop: DiagnosisEvent | null = null;
  for (const event of events) {
    if (event.kind === "connected") previousDrop = null;
    if (event.kind !== "disconnected" || lateRecords.has(event.id)) continue;
    if (event.reason === "client_disconnect") {
      cleanDisconnects.push(event);
      previousDrop = null;
      continue;
    }
    if (previousDrop && event.occurredAt.getTime() - previousDrop.occurredAt.getTime() <= SAME_DROP_MS) {
      dropOf.set(event.id, previousDrop);
      continue;
    }
    drops.push(event);
    dropOf.set(event.id, event);
    previousDrop = event;
  }
  const dropIds = new Set(drops.map((event) => event.id));
  const fleetWide = input.fleet ? findFleetWideDrops(drops, input.fleet) : new Map<string, number>();
  const probeFailed = findProbeFailedDrops(drops, input.probes);
  const deviceDrops = drops.filter((event) => !fleetWide.has(event.id) && !probeFailed.has(event.id));

  const uptimes: Uptime[] = [];
  const gaps: ReconnectGap[] = [];
  let lastConnect: DiagnosisEvent | null = null;
  // The connect before `lastConnect` when no disconnect came between them (the connection it opened never closed).
  let unclosed: DiagnosisEvent | null = null;
  let pendingEnd: DiagnosisEvent | null = null;
  for (const event of events) {
    if (event.kind === "connected" || event.kind === "connect_failed") {
      if (pendingEnd) gaps.push({ drop: pendingEnd, next: event, gapMs: event.occurredAt.getTime() - pendingEnd.occurredAt.getTime() });
      pendingEnd = event.kind === "connect_failed" ? event : null;
      if (event.kind === "connected") [unclosed, lastConnect] = [lastConnect, event];
    } else if (event.kind === "disconnected") {
      if (event.reason !== "client_disconnect" && !dropIds.has(event.id)) continue;
      if (lastConnect && unclosed && endsEarlierConnection(event, lastConnect, unclosed)) {
        // The earlier connection's end, stamped after the device had reconnected (another broker node's clock, or
        // the broker noticing the dead link only then): it ends that connection, the new one stays open.
        if (event.reason !== "client_disconnect" && !fleetWide.has(event.id) && !probeFailed.has(event.id))
          uptimes.push({ drop: event, connect: unclosed, durationMs: lastConnect.occurredAt.getTime() - unclosed.occurredAt.getTime() });
        unclosed = null;
        continue;
      }
      const connect = lastConnect ?? connectReportedBy(event);
      if (connect && event.reason !== "client_disconnect" && !fleetWide.has(event.id) && !probeFailed.has(event.id)) {
        uptimes.push({ drop: event, connect, durationMs: event.occurredAt.getTime() - connect.occurredAt.getTime() });
      }
      lastConnect = null;
      unclosed = null;
      pendingEnd = event;
    }
  }

  const spanStart = Math.max(input.window.from.getTime(), events[0]?.occurredAt.getTime() ?? input.window.from.getTime());
  return {
    deviceId: input.deviceId,
    window: input.window,
    windowEndsNow: input.windowEndsNow ?? false,
    spanDays: Math.max((input.window.to.getTime() - spanStart) / DAY_MS, 1 / 24),
    events,
    connects,
    drops,
    dropOf,
    cleanDisconnects,
    failures: events.filter((event) => event.kind === "connect_failed" && !renewalRefusals.has(event.id)),
    systemEvents: events.filter((event) => event.kind === "device_report" && classifyDeviceReport(event) === "system"),
    deviceSideEvents: deviceSide,
    renewals,
    fleet: input.fleet,
    fleetWide,
    probes: input.probes ?? null,
    probeFailed,
    deviceDrops,
    uptimes,
    gaps,
    lastKeepaliveSec: connects.findLast((event) => event.keepaliveSec !== null)?.keepaliveSec ?? null,
  };
}
