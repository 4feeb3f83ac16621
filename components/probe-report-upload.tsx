"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { sendJson } from "@/components/send-json.ts";
import { deviceApiPath } from "@/lib/http/device-path.ts";

type UploadState = { status: "idle" | "uploading" } | { status: "done" | "failed"; text: string };

/** Upload of a probe report file (`npm run probe -- … --json > probe.json`) run on the device's network. */
export function ProbeReportUpload({ deviceId }: { deviceId: string }) {
  const router = useRouter();
  const inputId = useId();
  const [state, setState] = useState<UploadState>({ status: "idle" });

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem("probe-report");
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (!file) {
      setState({ status: "failed", text: "Choose a probe report file first." });
      return;
    }
    setState({ status: "uploading" });
    try {
      let report: unknown;
      try {
        report = JSON.parse(await file.text());
      } catch {
        setState({ status: "failed", text: "The file is not JSON: save the probe's --json output." });
        return;
      }
      const answer = await sendJson<{ ok: boolean }>("POST", deviceApiPath(deviceId, "probes"), report);
      setState({ status: "done", text: `Probe report uploaded (${answer?.ok ? "every step passed" : "a step failed"}).` });
      router.refresh();
    } catch (error) {
      setState({ status: "failed", text: `Upload failed: ${(error as Error).message}` });
    }
  }

  return (
    <form className="agent-upload" onSubmit={(event) => void upload(event)}>
      <label htmlFor={inputId}>Upload a probe report (JSON)</label>
      <input id={inputId} name="probe-report" type="file" accept="application/json,.json" />
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
