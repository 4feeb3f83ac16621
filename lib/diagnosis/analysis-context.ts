import { findFleetWideDrops } from "./detect-fleet-wide-drops.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext } from "./types.ts";

export type Uptime = { drop: DiagnosisEvent; connect: DiagnosisEvent; durationMs: number };
export type ReconnectGap = { drop: DiagnosisEvent; next: DiagnosisEvent; gapMs: number };

/** Derived views every analyzer shares, computed once per diagnosis. */
export type AnalysisContext = {
  deviceId: string;
  window: { from: Date; to: Date };
  spanDays: number;
  events: DiagnosisEvent[];
  connects: DiagnosisEvent[];
  /** Disconnects the client did not ask for (everything but client_disconnect). */
  drops: DiagnosisEvent[];
  cleanDisconnects: DiagnosisEvent[];
  failures: DiagnosisEvent[];
  reports: DiagnosisEvent[];
  fleet: FleetContext | null;
  /** Drops that coincided with many devices dropping: not this device's fault. */
  fleetWide: Map<string, number>;
  /** Drops the device-level analyzers look at: `drops` minus the fleet-wide ones. */
  deviceDrops: DiagnosisEvent[];
  /** Connected time before each device drop. */
  uptimes: Uptime[];
  /** Time from each drop or refusal to the next connect attempt (connect or refusal). */
  gaps: ReconnectGap[];
  lastKeepaliveSec: number | null;
};

const DAY = 86_400_000;

export function buildAnalysisContext(input: DiagnosisInput): AnalysisContext {
  const events = [...input.events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id));
  const connects = events.filter((event) => event.kind === "connected");
  const disconnects = events.filter((event) => event.kind === "disconnected");
  const drops = disconnects.filter((event) => event.reason !== "client_disconnect");
  const fleetWide = input.fleet ? findFleetWideDrops(drops, input.fleet) : new Map<string, number>();
  const deviceDrops = drops.filter((event) => !fleetWide.has(event.id));

  const uptimes: Uptime[] = [];
  const gaps: ReconnectGap[] = [];
  let lastConnect: DiagnosisEvent | null = null;
  let pendingEnd: DiagnosisEvent | null = null;
  for (const event of events) {
    if (event.kind === "connected" || event.kind === "connect_failed") {
      if (pendingEnd) gaps.push({ drop: pendingEnd, next: event, gapMs: event.occurredAt.getTime() - pendingEnd.occurredAt.getTime() });
      pendingEnd = event.kind === "connect_failed" ? event : null;
      if (event.kind === "connected") lastConnect = event;
    } else if (event.kind === "disconnected") {
      if (lastConnect && event.reason !== "client_disconnect" && !fleetWide.has(event.id)) {
        uptimes.push({ drop: event, connect: lastConnect, durationMs: event.occurredAt.getTime() - lastConnect.occurredAt.getTime() });
      }
      lastConnect = null;
      pendingEnd = event;
    }
  }

  const spanStart = Math.max(input.window.from.getTime(), events[0]?.occurredAt.getTime() ?? input.window.from.getTime());
  return {
    deviceId: input.deviceId,
    window: input.window,
    spanDays: Math.max((input.window.to.getTime() - spanStart) / DAY, 1 / 24),
    events,
    connects,
    drops,
    cleanDisconnects: disconnects.filter((event) => event.reason === "client_disconnect"),
    failures: events.filter((event) => event.kind === "connect_failed"),
    reports: events.filter((event) => event.kind === "device_report"),
    fleet: input.fleet,
    fleetWide,
    deviceDrops,
    uptimes,
    gaps,
    lastKeepaliveSec: connects.findLast((event) => event.keepaliveSec !== null)?.keepaliveSec ?? null,
  };
}
