"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import type { EvidenceImportResult } from "@/lib/device-evidence/import-device-evidence.ts";
import "./device-evidence.css";

type UploadState = { status: "idle" } | { status: "uploading" } | { status: "done"; text: string } | { status: "failed"; text: string };
type UploadAnswer = Partial<EvidenceImportResult> & { error?: { message?: string } };

const FORMAT_OPTIONS = [
  ["auto", "Recognise the file"],
  ["collector", "Collector export (export_json)"],
  ["home-assistant", "Home Assistant diagnostics"],
  ["journal", "journalctl (short-iso or -o json)"],
  ["syslog", "syslog"],
] as const;

const FORMAT_NAMES: Record<EvidenceImportResult["format"], string> = {
  agent: "Linkscope agent export",
  collector: "collector export",
  "home-assistant": "Home Assistant diagnostics",
  "system-log": "system log",
};

export function describeEvidenceAnswer(answer: UploadAnswer): string {
  const imported = `imported ${answer.accepted ?? 0} of ${answer.events ?? 0} events (${answer.duplicate ?? 0} already known)`;
  if (answer.format !== "system-log") return `Read as ${FORMAT_NAMES[answer.format ?? "collector"]}: ${imported}.`;
  const skipped = answer.skipped ? `; ${answer.skipped} older system events over the limit left out` : "";
  return `Read as system log: ${answer.lines ?? 0} lines, ${answer.events ?? 0} system events, ${imported}; ${answer.unrecognized ?? 0} lines were no system event and ${answer.unreadable ?? 0} in no known form${skipped}.`;
}

/** Upload of device-side evidence: the collector's export, a Home Assistant diagnostics file, a journal or syslog. */
export function DeviceEvidenceUpload({ deviceId }: { deviceId: string }) {
  const router = useRouter();
  const fileId = useId();
  const formatId = useId();
  const [state, setState] = useState<UploadState>({ status: "idle" });

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.namedItem("evidence");
    const select = form.elements.namedItem("format");
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (!file) {
      setState({ status: "failed", text: "Choose a file first." });
      return;
    }
    const format = select instanceof HTMLSelectElement ? select.value : "auto";
    setState({ status: "uploading" });
    try {
      const response = await fetch(`/api/v1/devices/${encodeURIComponent(deviceId)}/evidence?format=${encodeURIComponent(format)}`, {
        method: "POST",
        headers: { "content-type": file.name.endsWith(".json") ? "application/json" : "text/plain" },
        body: await file.text(),
      });
      const answer = (await response.json()) as UploadAnswer;
      if (!response.ok) {
        setState({ status: "failed", text: answer.error?.message ?? `Upload failed (${response.status}).` });
        return;
      }
      setState({ status: "done", text: describeEvidenceAnswer(answer) });
      router.refresh();
    } catch (error) {
      setState({ status: "failed", text: `Upload failed: ${(error as Error).message}` });
    }
  }

  return (
    <form className="agent-upload device-evidence-upload" onSubmit={(event) => void upload(event)}>
      <label htmlFor={fileId}>Upload device evidence (collector export, Home Assistant diagnostics, journal or syslog)</label>
      <input id={fileId} name="evidence" type="file" accept=".json,.log,.txt,application/json,text/plain" />
      <label htmlFor={formatId} className="visually-hidden">
        File format
      </label>
      <select id={formatId} name="format" defaultValue="auto">
        {FORMAT_OPTIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <button className="button button-small" type="submit" disabled={state.status === "uploading"}>
        {state.status === "uploading" ? "Uploading…" : "Upload"}
      </button>
      {state.status === "done" || state.status === "failed" ? (
        <p role="status" className={state.status === "failed" ? "upload-error" : "muted"}>
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
