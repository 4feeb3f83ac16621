import type { DeviceDiagnosis } from "@/lib/diagnosis/types.ts";
import { verdictLabel } from "@/lib/diagnosis/verdict-label.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { EvidenceLink } from "./evidence-link.tsx";
import { formatCount } from "./format.ts";
import { LocalTime, LocalizedText } from "./time-zone.tsx";

/** The one-sentence answer at the top of the device page. */
export function DiagnosisBanner({ deviceId, diagnosis }: { deviceId: string; diagnosis: DeviceDiagnosis }) {
  const verdict = diagnosis.verdict;
  const days = Math.round((Date.parse(diagnosis.window.to) - Date.parse(diagnosis.window.from)) / 86_400_000);
  if (!verdict) {
    return (
      <section className="verdict verdict-ok" aria-label="Diagnosis" data-testid="verdict">
        <span className="verdict-label">No problem found</span>
        <p className="verdict-text">
          No problem found in the last {days} days: {formatCount(diagnosis.summary.connects)} connects,{" "}
          {formatCount(diagnosis.summary.drops)} drops, {formatCount(diagnosis.summary.failedConnects)} failed connects.
        </p>
      </section>
    );
  }
  return (
    <section className={`verdict verdict-${verdict.severity}`} aria-label="Diagnosis" data-testid="verdict">
      <span className="verdict-label">
        {verdictLabel(verdict)} · {verdict.title}
      </span>
      <p className="verdict-text">
        <LocalizedText text={verdict.verdict} />
      </p>
      <p className="verdict-meta">
        Confidence {Math.round(verdict.confidence * 100)} % · {formatCount(verdict.evidence.eventIds.length)} event
        {verdict.evidence.eventIds.length === 1 ? "" : "s"} as evidence{" "}
        {diagnosis.analysedFrom ? (
          <>
            from its newest events only, since <LocalTime value={diagnosis.analysedFrom} />
          </>
        ) : (
          `over ${days} days`
        )}
        {verdict.evidence.range ? (
          <>
            {" · "}
            <EvidenceLink href={deviceHref(deviceId, verdict.evidence.range)}>See the evidence in the timeline</EvidenceLink>
          </>
        ) : null}
        {diagnosis.findings.length > 1
          ? ` · ${diagnosis.findings.length - 1} more finding${diagnosis.findings.length > 2 ? "s" : ""} below`
          : null}
      </p>
    </section>
  );
}
