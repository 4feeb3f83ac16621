"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { deviceApiPath } from "@/lib/http/device-path.ts";

type UploadState =
  | { status: "idle" }
  | { status: "uploading" }
  | { status: "done"; text: string }
  | { status: "failed"; text: string };

type UploadAnswer = { events?: number; accepted?: number; duplicate?: number; error?: { message?: string } };

/** Upload of an agent export file (`agent.exportJson()`) for a device that could not publish its reports. */
export function AgentExportUpload({ deviceId }: { deviceId: string }) {
  const router = useRouter();
  const inputId = useId();
  const [state, setState] = useState<UploadState>({ status: "idle" });

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem("export");
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (!file) {
      setState({ status: "failed", text: "Choose an export file first." });
      return;
    }
    setState({ status: "uploading" });
    try {
      const response = await fetch(deviceApiPath(deviceId, "agent-export"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await file.text(),
      });
      const answer = (await response.json()) as UploadAnswer;
      if (!response.ok) {
        setState({ status: "failed", text: answer.error?.message ?? `Upload failed (${response.status}).` });
        return;
      }
      setState({ status: "done", text: `Imported ${answer.accepted ?? 0} of ${answer.events ?? 0} events (${answer.duplicate ?? 0} already known).` });
      router.refresh();
    } catch (error) {
      setState({ status: "failed", text: `Upload failed: ${(error as Error).message}` });
    }
  }

  return (
    <form className="agent-upload" onSubmit={(event) => void upload(event)}>
      <label htmlFor={inputId}>Upload an agent export (JSON)</label>
      <input id={inputId} name="export" type="file" accept="application/json,.json" />
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
