import type { ProbeStepName } from "@/lib/probe/probe-report.ts";
import { firstAtOrAfter, formatUtc } from "./statistics.ts";
import type { DiagnosisEvent } from "./types.ts";

/** One scheduled run of our own probe of the broker endpoint that serves a fleet scope (lib/probe-schedule). */
export type ProbeRunEvidence = {
  endpointName: string;
  startedAt: Date;
  ok: boolean;
  /** The first failed step; null when the run passed or produced no report (timed out). */
  failedStep: ProbeStepName | null;
  explanation: string | null;
};

/** The probe runs of the scope's endpoint(s) around the drops being explained; empty runs mean "no evidence". */
export type ProbeEvidence = { endpointNames: string[]; runs: readonly ProbeRunEvidence[] };

/**
 * A drop and a probe run coincide when the run started this close to it. Runs are minutes apart, so an outage
 * that killed the device's connection is usually seen by the next or the previous run, not at the same second.
 */
export const PROBE_COINCIDENCE_MS = 5 * 60_000;

export const PROBE_STEP_LABELS: Record<ProbeStepName, string> = {
  dns: "DNS",
  tcp: "TCP connect",
  tls: "TLS",
  mqtt_connect: "MQTT CONNECT",
  ping: "ping",
  pubsub: "publish/subscribe",
  idle: "idle hold",
};

/**
 * For a time, the run nearest to it within PROBE_COINCIDENCE_MS (of two as near, the one listed first), or null. The
 * runs are sorted once and each time reads only the runs near it: a minutely probe has 20,000 runs in two weeks, a
 * storming device thousands of drops.
 */
function nearestRunFinder(runs: readonly ProbeRunEvidence[]): (at: Date) => ProbeRunEvidence | null {
  const byTime = runs.map((run, order) => ({ run, order, time: run.startedAt.getTime() })).sort((a, b) => a.time - b.time);
  const times = byTime.map((entry) => entry.time);
  return (at) => {
    let best: { run: ProbeRunEvidence; order: number; distance: number } | null = null;
    for (let i = firstAtOrAfter(times, at.getTime() - PROBE_COINCIDENCE_MS); i < byTime.length; i += 1) {
      const { run, order, time } = byTime[i] as (typeof byTime)[number];
      const distance = Math.abs(time - at.getTime());
      if (time - at.getTime() > PROBE_COINCIDENCE_MS) break;
      if (!best || distance < best.distance || (distance === best.distance && order < best.order)) best = { run, order, distance };
    }
    return best?.run ?? null;
  };
}

/**
 * Pure: the drops whose nearest probe run (within PROBE_COINCIDENCE_MS) failed: the broker was not reachable from
 * our side either, so the drop is the server's or the network's. Returns drop ID → that run.
 */
export function findProbeFailedDrops(
  drops: readonly DiagnosisEvent[],
  probes: ProbeEvidence | null | undefined,
): Map<string, ProbeRunEvidence> {
  const result = new Map<string, ProbeRunEvidence>();
  if (!probes || probes.runs.length === 0) return result;
  const nearestRun = nearestRunFinder(probes.runs);
  for (const drop of drops) {
    const run = nearestRun(drop.occurredAt);
    if (run && !run.ok) result.set(drop.id, run);
  }
  return result;
}

/** `our own probe of broker-eu failed at TLS at 2026-12-02 02:14:00 UTC (certificate expired)`. */
export function describeFailedRun(run: ProbeRunEvidence): string {
  const step = run.failedStep ? `at ${PROBE_STEP_LABELS[run.failedStep]}` : "without finishing";
  const why = run.explanation ? ` (${run.explanation.replace(/[.\s]+$/, "")})` : "";
  return `our own probe of ${run.endpointName} failed ${step} at ${formatUtc(run.startedAt)}${why}`;
}

/** The runs within PROBE_COINCIDENCE_MS of any of `times`, or empty when none were near. */
export function runsAround(runs: readonly ProbeRunEvidence[], times: readonly Date[]): ProbeRunEvidence[] {
  const sorted = times.map((at) => at.getTime()).sort((a, b) => a - b);
  return runs.filter((run) => {
    // The first time at or after the window's start is the only one that can be inside it, if any is.
    const first = sorted[firstAtOrAfter(sorted, run.startedAt.getTime() - PROBE_COINCIDENCE_MS)];
    return first !== undefined && first <= run.startedAt.getTime() + PROBE_COINCIDENCE_MS;
  });
}

/** `our own probe of broker-eu passed all 3 runs around them: the server was reachable from here`, or null when a run failed or none ran. */
export function describePassingRuns(runs: readonly ProbeRunEvidence[]): string | null {
  if (runs.length === 0 || runs.some((run) => !run.ok)) return null;
  const names = [...new Set(runs.map((run) => run.endpointName))].join(", ");
  return `our own probe of ${names} passed ${runs.length === 1 ? "its run" : `all ${runs.length} runs`} around them: the server was reachable from here`;
}
