import Link from "next/link";
import type { IncidentProbeEvidence as Evidence } from "@/lib/probe-schedule/describe-incident-probes.ts";

/** What our own scheduled probe of the incident's broker saw, when an endpoint serves its scope. */
export function IncidentProbeEvidence({ evidence }: { evidence: Evidence | null }) {
  if (!evidence) return null;
  return (
    <p data-testid="incident-probe-evidence" className={evidence.verdict === "probe_failed" ? "error-text" : undefined}>
      {evidence.sentence} <Link href="/endpoints">Endpoints</Link>
    </p>
  );
}
