"use client";

import { useRef, type FormEvent } from "react";
import { ProbeReportView } from "@/components/probe-report-view.tsx";
import { useApiWrite } from "@/components/use-api-write.ts";
import { useInvalidFieldMarks } from "@/components/use-invalid-field-marks.ts";
import type { ProbeReport } from "@/lib/probe/probe-report.ts";

type RunState =
  { status: "idle" } | { status: "running" } | { status: "done"; report: ProbeReport } | { status: "failed"; message: string };

/** The probe form: what it sends goes to POST /api/v1/probes once; the password is cleared from the form after each run. */
export function ProbeForm() {
  const probe = useApiWrite<ProbeReport>();
  const formRef = useRef<HTMLFormElement>(null);
  const errorId = useInvalidFieldMarks(formRef, probe.error);
  const state: RunState = probe.isPending
    ? { status: "running" }
    : probe.isError
      ? { status: "failed", message: probe.error.message }
      : probe.isSuccess
        ? probe.data
          ? { status: "done", report: probe.data }
          : { status: "failed", message: "No report came back." }
        : { status: "idle" };

  function run(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
    };
    const idle = Number(text("idleSeconds") ?? "0");
    const body = {
      url: text("url") ?? "",
      clientId: text("clientId"),
      username: text("username"),
      password: typeof data.get("password") === "string" && data.get("password") !== "" ? String(data.get("password")) : undefined,
      caPem: text("caPem"),
      certPem: text("certPem"),
      keyPem: text("keyPem"),
      mqttVersion: text("mqttVersion") === "5" ? 5 : 4,
      pubSub: data.get("pubSub") === "on",
      ...(idle > 0 ? { idleSeconds: idle } : {}),
    };
    const passwordInput = form.elements.namedItem("password");
    if (passwordInput instanceof HTMLInputElement) passwordInput.value = "";
    probe.mutate({ method: "POST", url: "/api/v1/probes", body });
  }

  return (
    <div className="probe-grid">
      <section className="panel" aria-labelledby="probe-form-heading">
        <h2 id="probe-form-heading">Target</h2>
        <form ref={formRef} className="probe-form" onSubmit={run}>
          <label htmlFor="probe-url">Broker URL</label>
          <input id="probe-url" name="url" className="probe-input" required placeholder="mqtts://broker.example.com:8883" />
          <label htmlFor="probe-client-id">Client ID (optional)</label>
          <input id="probe-client-id" name="clientId" className="probe-input" autoComplete="off" />
          <label htmlFor="probe-username">User name (optional)</label>
          <input id="probe-username" name="username" className="probe-input" autoComplete="off" />
          <label htmlFor="probe-password">Password or JWT (optional, never stored)</label>
          <input id="probe-password" name="password" type="password" className="probe-input" autoComplete="new-password" />
          <label htmlFor="probe-version">MQTT version</label>
          <select id="probe-version" name="mqttVersion" className="probe-input" defaultValue="4">
            <option value="4">3.1.1</option>
            <option value="5">5</option>
          </select>
          <details>
            <summary>TLS: CA and client certificate</summary>
            <label htmlFor="probe-ca">CA certificate (PEM, optional: the system roots otherwise)</label>
            <textarea id="probe-ca" name="caPem" className="probe-input" rows={4} />
            <label htmlFor="probe-cert">Client certificate (PEM)</label>
            <textarea id="probe-cert" name="certPem" className="probe-input" rows={4} />
            <label htmlFor="probe-key">Client key (PEM, never stored)</label>
            <textarea id="probe-key" name="keyPem" className="probe-input" rows={4} />
          </details>
          <label className="probe-check">
            <input type="checkbox" name="pubSub" /> Publish/subscribe round trip
          </label>
          <label htmlFor="probe-idle">Idle hold in seconds (0 = none, at most 120 here; the CLI has no limit)</label>
          <input id="probe-idle" name="idleSeconds" type="number" min={0} max={120} defaultValue={0} className="probe-input" />
          <button className="button" type="submit" disabled={state.status === "running"}>
            {state.status === "running" ? "Probing…" : "Run probe"}
          </button>
        </form>
      </section>
      <section className="panel" aria-labelledby="probe-result-heading" aria-busy={state.status === "running"}>
        <h2 id="probe-result-heading">Result</h2>
        {state.status === "idle" ? <p className="muted">Run a probe to see each step.</p> : null}
        {state.status === "running" ? <p role="status">Probing…</p> : null}
        {state.status === "failed" ? (
          <p role="alert" id={errorId} className="error-text">
            {state.message}
          </p>
        ) : null}
        {state.status === "done" ? <ProbeReportView report={state.report} headingLevel={3} /> : null}
      </section>
    </div>
  );
}
