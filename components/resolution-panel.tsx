import Link from "next/link";
import { findKnowledgeEntry } from "@/lib/knowledge/knowledge-base.ts";
import type { Finding, StepStatus } from "@/lib/diagnosis/types.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { EvidenceLink } from "./evidence-link.tsx";
import { formatCount } from "./format.ts";
import { LocalizedText } from "./time-zone.tsx";

const STATUS_LABEL: Record<StepStatus, string> = { passed: "Passed", failed: "Failed", unknown: "Unknown" };

function codeHref(code: string): string {
  return `/codes/${encodeURIComponent(code)}`;
}

function FindingSteps({ deviceId, finding }: { deviceId: string; finding: Finding }) {
  return (
    <ol className="steps" aria-label={`Resolution steps: ${finding.title}`}>
      {finding.steps.map((step) => (
        <li key={`${step.check}-${step.text}`} className={`step step-${step.status}`}>
          <span className={`step-status step-status-${step.status}`}>{STATUS_LABEL[step.status]}</span>
          <div>
            <div className="step-text">{step.text}</div>
            <div className="step-detail">
              <LocalizedText text={step.detail} />
              {step.evidence ? (
                <>
                  {" "}
                  <EvidenceLink href={deviceHref(deviceId, step.evidence)}>See the evidence</EvidenceLink>
                </>
              ) : null}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

function FindingBody({ deviceId, finding }: { deviceId: string; finding: Finding }) {
  const events = finding.evidence.eventIds.length;
  return (
    <>
      <p className="finding-verdict">
        <LocalizedText text={finding.verdict} />
      </p>
      <FindingSteps deviceId={deviceId} finding={finding} />
      <p className="finding-meta muted">
        Confidence {Math.round(finding.confidence * 100)} %
        {events > 0 ? ` · ${formatCount(events)} event${events === 1 ? "" : "s"} as evidence` : null}
        {finding.codes.length > 0 ? " · " : null}
        {finding.codes.map((code, index) => (
          <span key={code}>
            {index > 0 ? ", " : null}
            <Link href={codeHref(code)} title={findKnowledgeEntry(code)?.meaning}>
              <code>{code}</code>
            </Link>
          </span>
        ))}
      </p>
    </>
  );
}

/** Guided resolution: every finding with its ordered steps, each checked against the device's own data. */
export function ResolutionPanel({ deviceId, findings }: { deviceId: string; findings: readonly Finding[] }) {
  const [first, ...rest] = findings;
  return (
    <section className="panel resolution" aria-labelledby="resolution-heading">
      <div className="panel-header">
        <h2 id="resolution-heading">Guided resolution</h2>
        <p className="muted">
          Each step is checked against this device&apos;s events: passed, failed, or unknown when the data cannot tell.
        </p>
      </div>
      {first ? (
        <article className={`finding finding-${first.severity}`} aria-label={first.title}>
          <h3>{first.title}</h3>
          <FindingBody deviceId={deviceId} finding={first} />
        </article>
      ) : (
        <p className="empty">Nothing to resolve: no finding in the diagnosis window.</p>
      )}
      {rest.map((finding) => (
        <details key={finding.analyzer} className={`finding finding-${finding.severity}`}>
          <summary>
            <h3>{finding.title}</h3>
            <span className="muted"> · confidence {Math.round(finding.confidence * 100)} %</span>
          </summary>
          <FindingBody deviceId={deviceId} finding={finding} />
        </details>
      ))}
    </section>
  );
}
