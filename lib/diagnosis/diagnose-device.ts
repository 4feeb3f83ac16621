import { stepTextFor } from "@/lib/knowledge/keepalive-steps.ts";
import { findKnowledgeEntry } from "@/lib/knowledge/knowledge-base.ts";
import { buildAnalysisContext, type AnalysisContext } from "./analysis-context.ts";
import { detectClientIdTakeover } from "./detect-client-id-takeover.ts";
import { detectCredentialDrops } from "./detect-credential-drops.ts";
import { detectMessageBurstDrops, detectWeakSignalDrops } from "./detect-device-sample-drops.ts";
import { detectAuthFailures, detectRejectedClientId, detectTlsFailures } from "./detect-connect-failures.ts";
import { detectFleetWideDrops, FLEET_WIDE_LEADING_SHARE } from "./detect-fleet-wide-drops.ts";
import { detectLongOutage } from "./detect-long-outage.ts";
import {
  detectIrregularDrops,
  detectKeepaliveProblems,
  detectRateLimiting,
  detectSystemEventDrops,
  keepaliveTarget,
} from "./detect-network-drops.ts";
import { detectPeriodicDrops } from "./detect-periodic-drops.ts";
import { detectReconnectStorm } from "./detect-reconnect-storm.ts";
import { detectDropsRightAfterConnect, detectProtocolErrors, detectServerErrors } from "./detect-server-ended-drops.ts";
import { detectTokenRenewal } from "./detect-token-renewal.ts";
import { evaluateCheck } from "./evaluate-checks.ts";
import { roundConfidence } from "./statistics.ts";
import type { DeviceDiagnosis, DiagnosisInput, DraftFinding, Finding, Severity } from "./types.ts";

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1, expected: 0 };

/** Two step texts say the same thing when they open with the same four words (so also when one extends the other). */
function stepKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 4)
    .join(" ");
}

/** Steps from the analyzer first, then the knowledge-base steps of its main code; each said and evaluated once. */
function evaluateSteps(draft: DraftFinding, ctx: AnalysisContext): Finding {
  const entry = findKnowledgeEntry(draft.codes[0]);
  const checks = new Set<string>();
  const texts = new Set<string>();
  const keepalive = keepaliveTarget(ctx);
  const steps = [...draft.steps, ...(entry?.steps ?? []).map((step) => ({ ...step, text: stepTextFor(step, keepalive) }))]
    // The fleet-wide finding is the answer to "rule out a fleet event"; asking it again would only mark it failed.
    .filter((step) => !(draft.analyzer === "fleet-wide-drops" && step.check === "not-fleet-wide"))
    .filter((step) => {
      const key = stepKey(step.text);
      if (texts.has(key) || (step.check !== "manual" && checks.has(step.check))) return false;
      texts.add(key);
      if (step.check !== "manual") checks.add(step.check);
      return true;
    })
    .map((step) => {
      const result = evaluateCheck(step.check, ctx, { eventIds: draft.evidence.eventIds });
      return { ...step, ...result, evidence: result.evidence ?? (result.status === "failed" ? draft.evidence.range : null) };
    });
  return { ...draft, confidence: roundConfidence(draft.confidence), steps };
}

/** Higher confidence first (two decimals); equal confidence puts the more severe finding first, then by analyzer name. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      roundConfidence(b.confidence) - roundConfidence(a.confidence) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.analyzer.localeCompare(b.analyzer),
  );
}

/** A fleet-wide finding that covers only some of the drops explains those, not the device: it never leads. */
function explainsMostDrops(finding: Finding): boolean {
  if (finding.analyzer !== "fleet-wide-drops") return true;
  const share = Number(finding.evidence.stats.shareOfDrops ?? 100) / 100;
  return share > FLEET_WIDE_LEADING_SHARE;
}

/** The banner: the most confident alarming finding; otherwise the most confident one (expected or info). */
export function pickVerdict(ordered: readonly Finding[]): Finding | null {
  return (
    ordered.find((finding) => finding.severity === "critical" || finding.severity === "warning") ?? ordered.find(explainsMostDrops) ?? null
  );
}

/**
 * Pure: runs every analyzer over a device's events and sessions. Fleet-wide drops are taken out before the
 * device-level analyzers look, and drops explained as token renewal are not reported again as periodic or
 * irregular, so a finding blames the device only for what is the device's.
 */
export function diagnoseDevice(input: DiagnosisInput): DeviceDiagnosis {
  const ctx = buildAnalysisContext(input);
  const renewal = detectTokenRenewal(ctx);
  const periodic = detectPeriodicDrops(ctx, renewal.explained);
  // Drops a period explains are not also irregular or NAT drops.
  const claimed = new Set([...renewal.explained, ...periodic.flatMap((finding) => finding.evidence.eventIds)]);
  // A period whose cause the codes do not confirm may itself be the NAT's doing (regular traffic after quiet spells).
  const confirmed = new Set([
    ...renewal.explained,
    ...periodic.filter((finding) => finding.evidence.stats.kind !== "timer").flatMap((finding) => finding.evidence.eventIds),
  ]);
  // Drops inside retry bursts (connect, die at once, retry at a steady pace) are the retry loop's, not the network's.
  const storm = detectReconnectStorm(ctx);
  const auth = detectAuthFailures(ctx, renewal.explained);
  // Connections the broker ends at the device's first action: not irregular network drops, not expiring credentials.
  const stormDrops = new Set(storm.flatMap((finding) => finding.evidence.eventIds));
  const rightAfterConnect = detectDropsRightAfterConnect(ctx, claimed, stormDrops);
  const diedAtOnce = rightAfterConnect.flatMap((finding) => finding.evidence.eventIds);
  const retryLoop = new Set([...claimed, ...diedAtOnce, ...stormDrops]);
  const explainedAtOnce = new Set([...claimed, ...diedAtOnce]);
  const drafts: DraftFinding[] = [
    ...renewal.findings,
    ...detectFleetWideDrops(ctx),
    ...periodic,
    ...detectIrregularDrops(ctx, retryLoop),
    ...detectKeepaliveProblems(ctx, confirmed),
    ...detectRateLimiting(ctx),
    ...detectSystemEventDrops(ctx),
    ...detectWeakSignalDrops(ctx, input.samples ?? []),
    ...detectMessageBurstDrops(ctx, input.samples ?? []),
    ...detectClientIdTakeover(ctx),
    ...storm,
    ...auth,
    // A refusal chain already tells the credential story (and more: the device does not renew); no second finding.
    ...(auth.length > 0 ? [] : detectCredentialDrops(ctx, explainedAtOnce)),
    ...rightAfterConnect,
    ...detectProtocolErrors(ctx, explainedAtOnce),
    ...detectServerErrors(ctx),
    ...detectTlsFailures(ctx),
    ...detectRejectedClientId(ctx),
  ];
  drafts.push(...detectLongOutage(ctx, drafts));
  const findings = orderFindings(drafts.map((draft) => evaluateSteps(draft, ctx)));
  const keepalive = keepaliveTarget(ctx);
  return {
    deviceId: input.deviceId,
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    truncated: input.truncated ?? false,
    ...(input.truncated && ctx.events[0] ? { analysedFrom: ctx.events[0].occurredAt.toISOString() } : {}),
    findings,
    verdict: pickVerdict(findings),
    summary: {
      connects: ctx.connects.length,
      drops: ctx.drops.length,
      cleanDisconnects: ctx.cleanDisconnects.length,
      failedConnects: ctx.failures.length,
      fleetWideDrops: ctx.fleetWide.size,
      lastKeepaliveSec: ctx.lastKeepaliveSec,
      recommendedKeepaliveSec: keepalive.keepaliveSec,
      natIdleWindowSec: keepalive.natWindowSec,
    },
  };
}
