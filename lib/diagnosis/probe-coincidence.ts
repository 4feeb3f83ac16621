import type { ProbeStepName } from "@/lib/probe/probe-report.ts";
import { formatUtc } from "./statistics.ts";
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

/** The run nearest in time to `at` within PROBE_COINCIDENCE_MS, or null. */
export function findNearestRun(runs: readonly ProbeRunEvidence[], at: Date): ProbeRunEvidence | null {
  let best: ProbeRunEvidence | null = null;
  let bestDistance = Infinity;
  for (const run of runs) {
    const distance = Math.abs(run.startedAt.getTime() - at.getTime());
    if (distance <= PROBE_COINCIDENCE_MS && distance < bestDistance) {
      best = run;
      bestDistance = distance;
    }
  }
  return best;
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
  for (const drop of drops) {
    const run = findNearestRun(probes.runs, drop.occurredAt);
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
  return runs.filter((run) => times.some((at) => Math.abs(run.startedAt.getTime() - at.getTime()) <= PROBE_COINCIDENCE_MS));
}

/** `our own probe of broker-eu passed all 3 runs around them: the server was reachable from here`, or null when a run failed or none ran. */
export function describePassingRuns(runs: readonly ProbeRunEvidence[]): string | null {
  if (runs.length === 0 || runs.some((run) => !run.ok)) return null;
  const names = [...new Set(runs.map((run) => run.endpointName))].join(", ");
  return `our own probe of ${names} passed ${runs.length === 1 ? "its run" : `all ${runs.length} runs`} around them: the server was reachable from here`;
}
