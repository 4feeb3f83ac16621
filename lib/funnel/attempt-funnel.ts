import { ATTEMPT_STEPS, attemptOutcomeOf, BEFORE_BROKER, type AttemptStage, type DevicePhase } from "@/lib/events/attempt-stage.ts";
import type { EventKind, Reason } from "@/lib/events/connection-event.ts";
import { describeAttemptFunnel } from "./describe-attempt-funnel.ts";

/** Who saw an outcome: the broker's lifecycle events, the device's own reports, or a probe run from the device's network. */
export type FunnelSide = "broker" | "device" | "probe";

/** Events of one kind, reason and code (and agent phase) from one side, counted, with the newest one's time. */
export type FunnelCountRow = {
  side: Exclude<FunnelSide, "probe">;
  kind: EventKind;
  reason: Reason;
  code: string | null;
  phase: DevicePhase;
  count: number;
  latestAt: Date | null;
};

/** Probe runs from the device's network: how many, and where the failed ones stopped. */
export type FunnelProbeRuns = { runs: number; failedAt: Partial<Record<AttemptStage, number>>; latestFailedAt: Date | null };

export type FunnelCode = { code: string | null; reason: Reason; count: number };

export type FunnelStage = {
  stage: AttemptStage;
  /** Attempts (sessions, for `session`) that failed here; null where no side that reports it is present. */
  failed: number | null;
  /** Of the attempts (of the connected sessions, for `session`); null without a base. */
  share: number | null;
  bySide: Record<FunnelSide, number>;
  /** The most frequent codes, at most TOP_CODES. */
  topCodes: FunnelCode[];
  /** The newest failure here: the device page's evidence link opens the timeline around it. */
  latestAt: Date | null;
};

export type AttemptFunnel = {
  /** Connects plus failed attempts; null when the attempts cannot be counted (a filtered fleet view sees no connects). */
  attempts: number | null;
  connected: number | null;
  /** Sessions the client or the broker ended cleanly (not drops). */
  closed: number;
  sides: Record<FunnelSide, boolean>;
  probe: FunnelProbeRuns | null;
  stages: FunnelStage[];
  reading: string;
};

const TOP_CODES = 3;
export const FUNNEL_STAGES: readonly AttemptStage[] = [...ATTEMPT_STEPS, "unknown"];

/** A code's count per side: both sides report one refusal, so the code counts the larger side's number, as the stage does. */
type CodeTally = { code: string | null; reason: Reason; broker: number; device: number };
type Tally = { bySide: Record<FunnelSide, number>; codes: Map<string, CodeTally>; latestAt: Date | null };

const emptyTally = (): Tally => ({ bySide: { broker: 0, device: 0, probe: 0 }, codes: new Map(), latestAt: null });

/**
 * The funnel of a device's or a fleet's attempts from counted events. Both sides see the same attempt where both can
 * (a refusal the broker logs and the device reports), so a stage counts the larger side's number, never their sum;
 * the steps before the broker are counted only with device-side evidence, and said to be invisible without it.
 */
export function shapeAttemptFunnel(
  rows: readonly FunnelCountRow[],
  options: { probe?: FunnelProbeRuns | null; connectsCounted?: boolean } = {},
): AttemptFunnel {
  const probe = options.probe && options.probe.runs > 0 ? options.probe : null;
  const connectsCounted = options.connectsCounted ?? true;
  const connectedBySide = { broker: 0, device: 0 };
  const closedBySide = { broker: 0, device: 0 };
  const sides: Record<FunnelSide, boolean> = { broker: false, device: false, probe: probe !== null };
  const tallies = new Map<AttemptStage, Tally>(FUNNEL_STAGES.map((stage) => [stage, emptyTally()]));
  for (const row of rows) {
    if (row.count <= 0) continue;
    const outcome = attemptOutcomeOf(row, row.side === "device" ? row.phase : null);
    if (outcome === null) continue;
    sides[row.side] = true;
    if (outcome.outcome === "connected") connectedBySide[row.side] += row.count;
    else if (outcome.outcome === "closed") closedBySide[row.side] += row.count;
    else addFailure(tallies.get(outcome.stage) ?? emptyTally(), row);
  }
  for (const [stage, count] of Object.entries(probe?.failedAt ?? {})) {
    const tally = tallies.get(stage as AttemptStage);
    if (tally && count) tally.bySide.probe += count;
  }

  const connected = connectsCounted ? Math.max(connectedBySide.broker, connectedBySide.device) : null;
  const failedOf = (stage: AttemptStage): number | null => {
    const tally = tallies.get(stage);
    if (!tally) return 0;
    if (BEFORE_BROKER.has(stage) && !sides.device) return null;
    return Math.max(tally.bySide.broker, tally.bySide.device);
  };
  const failedBeforeSession = FUNNEL_STAGES.filter((stage) => stage !== "session").reduce((sum, stage) => sum + (failedOf(stage) ?? 0), 0);
  const attempts = connected === null ? null : connected + failedBeforeSession;
  const stages = FUNNEL_STAGES.map((stage): FunnelStage => {
    const tally = tallies.get(stage) ?? emptyTally();
    const failed = failedOf(stage);
    const base = stage === "session" ? (connected === null ? null : Math.max(connected, failed ?? 0)) : attempts;
    return {
      stage,
      failed,
      share: failed === null || !base ? null : failed / base,
      bySide: tally.bySide,
      topCodes: topCodes(tally),
      latestAt:
        stage === "session" || !probe?.latestFailedAt
          ? tally.latestAt
          : latest(tally.latestAt, tally.bySide.probe ? probe.latestFailedAt : null),
    };
  });
  const closed = Math.max(closedBySide.broker, closedBySide.device);
  const funnel = { attempts, connected, closed, sides, probe, stages };
  return { ...funnel, reading: describeAttemptFunnel(funnel) };
}

function addFailure(tally: Tally, row: FunnelCountRow): void {
  tally.bySide[row.side] += row.count;
  const key = `${row.code ?? ""}|${row.reason}`;
  const code = tally.codes.get(key) ?? { code: row.code, reason: row.reason, broker: 0, device: 0 };
  code[row.side] += row.count;
  tally.codes.set(key, code);
  tally.latestAt = latest(tally.latestAt, row.latestAt);
}

function topCodes(tally: Tally): FunnelCode[] {
  return [...tally.codes.values()]
    .map(({ code, reason, broker, device }) => ({ code, reason, count: Math.max(broker, device) }))
    .sort((a, b) => b.count - a.count || String(a.code).localeCompare(String(b.code)))
    .slice(0, TOP_CODES);
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** A probe step's name as a funnel stage (`ping`, `pubsub` and `idle` run inside an accepted session). */
export function stageOfProbeStep(step: string): AttemptStage {
  switch (step) {
    case "dns":
    case "tcp":
    case "tls":
      return step;
    case "mqtt_connect":
      return "mqtt-connect";
    case "ping":
    case "pubsub":
    case "idle":
      return "session";
    default:
      return "unknown";
  }
}
