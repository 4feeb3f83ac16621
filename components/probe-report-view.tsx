import Link from "next/link";
import type { ProbeReport, ProbeStep } from "@/lib/probe/probe-report.ts";

const STEP_LABEL: Record<ProbeStep["name"], string> = {
  dns: "DNS",
  tcp: "TCP connect",
  tls: "TLS handshake",
  mqtt_connect: "MQTT CONNECT",
  ping: "PINGREQ round trip",
  pubsub: "Publish / subscribe",
  idle: "Idle hold",
};
const STATUS_CLASS = { pass: "step-status-passed", fail: "step-status-failed", skipped: "step-status-unknown" } as const;
const STATUS_LABEL = { pass: "Pass", fail: "Fail", skipped: "Skipped" } as const;

/** One probe report: the verdict and every step with its status, duration, explanation and knowledge-base link. */
export function ProbeReportView({ report, headingLevel = 2 }: { report: ProbeReport; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const failed = report.steps.find((step) => step.status === "fail");
  return (
    <section className="probe-report" aria-label={`Probe of ${report.target.url}`}>
      <Heading className={report.ok ? "config-passed" : "config-failed"}>
        {report.ok ? "Every step passed" : `Failed at ${STEP_LABEL[failed?.name ?? "dns"]}`}: {report.target.url} (MQTT{" "}
        {report.target.mqttVersion === 5 ? "5" : "3.1.1"})
      </Heading>
      <p className="muted">
        Started <time dateTime={report.startedAt}>{new Date(report.startedAt).toISOString().replace("T", " ").slice(0, 19)} UTC</time>
      </p>
      <ol className="steps" aria-label="Probe steps">
        {report.steps.map((step) => (
          <li key={step.name} className="step" data-step={step.name} data-status={step.status}>
            <span className={`step-status ${STATUS_CLASS[step.status]}`}>{STATUS_LABEL[step.status]}</span>
            <div>
              <strong>{STEP_LABEL[step.name]}</strong>
              {step.durationMs !== null ? <span className="muted"> · {step.durationMs} ms</span> : null}
              <div>{step.summary}</div>
              {step.flags.length > 0 ? <div className="step-detail">Flags: {step.flags.join(", ")}</div> : null}
              {step.explanation && (step.status === "fail" || step.flags.length > 0) ? (
                <div className="step-detail">{step.explanation}</div>
              ) : null}
              {step.code ? (
                <div className="step-detail">
                  Code:{" "}
                  <Link href={`/codes/${encodeURIComponent(step.code)}`}>
                    <code>{step.code}</code>
                  </Link>
                </div>
              ) : null}
              <StepFacts step={step} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

type ChainEntry = { subject: string; issuer: string; subjectAltNames: string[]; validFrom: string; validTo: string };

function StepFacts({ step }: { step: ProbeStep }) {
  const details = step.details;
  if (step.name === "tls" && Array.isArray(details.chain)) {
    const chain = details.chain as ChainEntry[];
    return (
      <details className="step-detail">
        <summary>
          {String(details.protocol ?? "")} · {String(details.cipher ?? "")} · SNI {String(details.servername ?? "none")} · {chain.length}{" "}
          certificate{chain.length === 1 ? "" : "s"}
        </summary>
        <ol>
          {chain.map((cert, index) => (
            <li key={index}>
              <code>{cert.subject}</code> issued by <code>{cert.issuer}</code>, valid {cert.validFrom.slice(0, 10)} to{" "}
              {cert.validTo.slice(0, 10)}
              {cert.subjectAltNames.length > 0 ? <> · SANs: {cert.subjectAltNames.join(", ")}</> : null}
            </li>
          ))}
        </ol>
      </details>
    );
  }
  if ((step.name === "dns" || step.name === "tcp") && Object.keys(details).length > 0) {
    return (
      <details className="step-detail">
        <summary>Details</summary>
        <pre className="raw-json">{JSON.stringify(details, null, 2)}</pre>
      </details>
    );
  }
  return null;
}
