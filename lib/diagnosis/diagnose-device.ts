import { findKnowledgeEntry } from "@/lib/knowledge/knowledge-base.ts";
import { buildAnalysisContext, type AnalysisContext } from "./analysis-context.ts";
import { detectClientIdTakeover } from "./detect-client-id-takeover.ts";
import { detectAuthFailures, detectRejectedClientId, detectTlsFailures } from "./detect-connect-failures.ts";
import { detectFleetWideDrops } from "./detect-fleet-wide-drops.ts";
import { detectIrregularDrops, detectKeepaliveProblems, detectRateLimiting, detectSystemEventDrops } from "./detect-network-drops.ts";
import { detectPeriodicDrops } from "./detect-periodic-drops.ts";
import { detectReconnectStorm } from "./detect-reconnect-storm.ts";
import { detectTokenRenewal } from "./detect-token-renewal.ts";
import { evaluateCheck } from "./evaluate-checks.ts";
import type { DeviceDiagnosis, DiagnosisInput, DraftFinding, Finding, Severity } from "./types.ts";

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1, expected: 0 };

/** Steps from the analyzer first, then the knowledge-base steps of its main code; each evaluated once. */
function evaluateSteps(draft: DraftFinding, ctx: AnalysisContext): Finding {
  const entry = findKnowledgeEntry(draft.codes[0]);
  const seen = new Set<string>();
  const steps = [...draft.steps, ...(entry?.steps ?? [])]
    .filter((step) => {
      const key = step.check === "manual" ? step.text : step.check;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((step) => {
      const result = evaluateCheck(step.check, ctx);
      return { ...step, ...result, evidence: result.evidence ?? (result.status === "failed" ? draft.evidence.range : null) };
    });
  return { ...draft, steps };
}

/** Higher confidence first; equal confidence puts the more severe finding first. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => b.confidence - a.confidence || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.analyzer.localeCompare(b.analyzer));
}

/** The banner: the most confident alarming finding; otherwise the most confident one (expected or info). */
export function pickVerdict(ordered: readonly Finding[]): Finding | null {
  return ordered.find((finding) => finding.severity === "critical" || finding.severity === "warning") ?? ordered[0] ?? null;
}

/**
 * Pure: runs every analyzer over a device's events and sessions. Fleet-wide drops are taken out before the
 * device-level analyzers look, and drops explained as token renewal are not reported again as periodic or
 * irregular, so a finding blames the device only for what is the device's.
 */
export function diagnoseDevice(input: DiagnosisInput): DeviceDiagnosis {
  const ctx = buildAnalysisContext(input);
  const renewal = detectTokenRenewal(ctx);
  const drafts: DraftFinding[] = [
    ...renewal.findings,
    ...detectFleetWideDrops(ctx),
    ...detectPeriodicDrops(ctx, renewal.explained),
    ...detectIrregularDrops(ctx, renewal.explained),
    ...detectKeepaliveProblems(ctx),
    ...detectRateLimiting(ctx),
    ...detectSystemEventDrops(ctx),
    ...detectClientIdTakeover(ctx),
    ...detectReconnectStorm(ctx),
    ...detectAuthFailures(ctx, renewal.explained),
    ...detectTlsFailures(ctx),
    ...detectRejectedClientId(ctx),
  ];
  const findings = orderFindings(drafts.map((draft) => evaluateSteps(draft, ctx)));
  return {
    deviceId: input.deviceId,
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    truncated: input.truncated ?? false,
    findings,
    verdict: pickVerdict(findings),
    summary: {
      connects: ctx.connects.length,
      drops: ctx.drops.length,
      cleanDisconnects: ctx.cleanDisconnects.length,
      failedConnects: ctx.failures.length,
      fleetWideDrops: ctx.fleetWide.size,
      lastKeepaliveSec: ctx.lastKeepaliveSec,
    },
  };
}
