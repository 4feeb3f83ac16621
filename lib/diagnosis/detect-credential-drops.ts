import type { AnalysisContext } from "./analysis-context.ts";
import { atRenewalRhythm, PARTIAL_RENEWAL_CONFIDENCE } from "./detect-token-renewal.ts";
import { clamp, formatPeriod, median, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

/** Fewer than this many sessions cut over credentials is an incident, not a pattern. */
export const MIN_CREDENTIAL_DROPS = 3;
/** Share of the device's own drops the credential cuts must make up to be its story. */
const MIN_CREDENTIAL_SHARE = 0.5;

/** A session the server ended over the credential: expired, or no longer authorized, after it had been accepted. */
export function isCredentialCut(drop: DiagnosisEvent): boolean {
  return (
    drop.reason === "credential_expired" ||
    (drop.kind === "disconnected" && (drop.reason === "not_authorized" || drop.reason === "auth_failed"))
  );
}

/**
 * Sessions the server ends over credentials, when their timing shows no single period (the periodic analyzer names
 * the lifetime when it does): a token that expires during the session, of varying lifetime, or one that is
 * revoked. Drops already explained (a period, the normal Azure renewal chain) are left to their own finding.
 */
export function detectCredentialDrops(ctx: AnalysisContext, explained: ReadonlySet<string>): DraftFinding[] {
  const cuts = ctx.deviceDrops.filter((drop) => isCredentialCut(drop) && !explained.has(drop.id));
  const own = ctx.deviceDrops.filter((drop) => !explained.has(drop.id));
  if (cuts.length < MIN_CREDENTIAL_DROPS || cuts.length / Math.max(1, own.length) < MIN_CREDENTIAL_SHARE) return [];
  const last = cuts.at(-1);
  if (!last) return [];
  const cutIds = new Set(cuts.map((drop) => drop.id));
  const uptimes = ctx.uptimes.filter((uptime) => cutIds.has(uptime.drop.id)).map((uptime) => uptime.durationMs);
  const lifetime =
    uptimes.length > 0
      ? ` after ${formatPeriod(Math.min(...uptimes))} to ${formatPeriod(Math.max(...uptimes))} connected (median ${formatPeriod(median(uptimes))})`
      : "";
  const codes = [...new Set(cuts.map((drop) => drop.code).filter((code): code is string => code !== null))];
  if (cuts.every((drop) => atRenewalRhythm(ctx, drop.occurredAt.getTime()))) return [partialRenewals(cuts, ctx.renewals.length, codes)];
  return [
    {
      analyzer: "credential-drops",
      title: "Sessions ended for expired or revoked credentials",
      verdict: `The server ended ${cuts.length} of this device's sessions over its credentials${codes.length > 0 ? ` (${codes.slice(0, 2).join(", ")})` : ""}${lifetime}: the token or credential it connected with expires or is revoked while connected. The lifetimes differ, so no single token lifetime is visible; the device's token settings, or the server's log of why it ended each session, would tell expiry from revocation.`,
      severity: "warning",
      confidence: clamp(0.6 + 0.25 * Math.min(1, cuts.length / 10), 0, 0.85),
      evidence: {
        eventIds: cuts.map((drop) => drop.id),
        stats: { drops: cuts.length, deviceDrops: own.length },
        range: rangeAround(last.occurredAt),
      },
      codes,
      steps: [
        {
          text: "Renew the credential before it expires and reconnect with the new one, instead of waiting to be cut off",
          check: "renews-before-expiry",
        },
        { text: "Reconnect with fresh credentials within seconds after an expiry", check: "reconnects-quickly" },
      ],
    },
  ];
}

/** Cuts at the rhythm of the device's recognised token renewals: renewals whose reconnect the records lack. Not a fault. */
function partialRenewals(cuts: readonly DiagnosisEvent[], renewals: number, codes: readonly string[]): DraftFinding {
  const last = cuts.at(-1) as DiagnosisEvent;
  return {
    analyzer: "credential-drops",
    title: "Credential expiries at the token renewal's rhythm",
    verdict: `The server ended ${cuts.length} sessions over the credential${codes.length > 0 ? ` (${codes.slice(0, 2).join(", ")})` : ""} at whole token lifetimes from the ${renewals} SAS token renewals recognised in this window: most likely renewals whose reconnect is missing from the records, expected. If the device really stayed away after them, its own log of its reconnects would show it.`,
    severity: "info",
    confidence: PARTIAL_RENEWAL_CONFIDENCE,
    evidence: { eventIds: cuts.map((drop) => drop.id), stats: { drops: cuts.length, renewals }, range: rangeAround(last.occurredAt) },
    codes: [...codes],
    steps: [{ text: "Reconnect within seconds when the token renewal ends a connection", check: "reconnects-quickly" }],
  };
}
