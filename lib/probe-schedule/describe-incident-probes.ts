import { describeFailedRun, PROBE_COINCIDENCE_MS, type ProbeEvidence } from "@/lib/diagnosis/probe-coincidence.ts";
import type { Db } from "@/lib/db/client.ts";
import { loadProbeEvidenceBetween } from "./load-probe-evidence.ts";

/** What our own probe of the scope's broker saw during an incident, in one sentence, with the runs behind it. */
export type IncidentProbeEvidence = {
  verdict: "probe_failed" | "probe_passed" | "no_runs";
  sentence: string;
  endpointNames: string[];
  runs: number;
  failedRuns: { endpointName: string; startedAt: string; failedStep: string | null; explanation: string | null }[];
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Pure: failing runs say the server or the network; runs that all passed say the server was reachable from here. */
export function describeIncidentProbes(evidence: ProbeEvidence): IncidentProbeEvidence {
  const names = evidence.endpointNames.join(", ");
  const failed = evidence.runs.filter((run) => !run.ok);
  const base = { endpointNames: evidence.endpointNames, runs: evidence.runs.length };
  const failedRuns = failed.slice(0, 20).map((run) => ({
    endpointName: run.endpointName,
    startedAt: run.startedAt.toISOString(),
    failedStep: run.failedStep,
    explanation: run.explanation,
  }));
  const [first] = failed;
  if (first) {
    const more = failed.length > 1 ? ` ${failed.length} of its ${evidence.runs.length} runs in the incident's window failed.` : "";
    return {
      ...base,
      verdict: "probe_failed",
      failedRuns,
      sentence: `${capitalize(describeFailedRun(first))} — the server or the network, not the devices.${more}`,
    };
  }
  if (evidence.runs.length === 0) {
    return { ...base, verdict: "no_runs", failedRuns, sentence: `No run of our own probe of ${names} fell in the incident's window.` };
  }
  const runs = evidence.runs.length === 1 ? "its run" : `all ${evidence.runs.length} runs`;
  return {
    ...base,
    verdict: "probe_passed",
    failedRuns,
    sentence: `Our own probe of ${names} passed ${runs} during the incident: the server was reachable from here, so look at the network between the devices and the server, or at the devices.`,
  };
}

/** The probe evidence of an incident's scope over its window (padded by PROBE_COINCIDENCE_MS); null without a scoped endpoint. */
export async function loadIncidentProbeEvidence(
  db: Db,
  incident: { source: string | null; brokerNode: string | null; startedAt: Date; lastDropAt: Date; endedAt: Date | null },
): Promise<IncidentProbeEvidence | null> {
  if (!incident.source) return null;
  const end = incident.endedAt ?? incident.lastDropAt;
  const evidence = await loadProbeEvidenceBetween(
    db,
    { source: incident.source, brokerNode: incident.brokerNode },
    new Date(incident.startedAt.getTime() - PROBE_COINCIDENCE_MS),
    new Date(end.getTime() + PROBE_COINCIDENCE_MS),
  );
  return evidence ? describeIncidentProbes(evidence) : null;
}
