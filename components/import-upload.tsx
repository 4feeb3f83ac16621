"use client";

import { useState, type FormEvent } from "react";

type Progress = { state: "uploading" | "running" | "completed" | "failed"; fraction: number; text: string };
type ImportStatus = {
  run: { status: string; recordsDone: string; eventsInserted: string; duplicates: string; deadLetters: string };
  progress: { state: string; bytesRead: number; totalBytes: number; records: number; inserted: number; duplicates: number; deadLetters: number; error: string | null; alreadyImported: boolean } | null;
};

/** Upload an exported log; shows upload progress, then import progress polled from the server. */
export function ImportUpload({ formats }: { formats: { name: string; description: string }[] }) {
  const [progress, setProgress] = useState<Progress | null>(null);

  async function poll(runId: string): Promise<void> {
    for (;;) {
      const response = await fetch(`/api/v1/imports/${runId}`, { headers: { accept: "application/json" } });
      const body = (await response.json()) as ImportStatus;
      const p = body.progress;
      const fraction = p && p.totalBytes > 0 ? p.bytesRead / p.totalBytes : body.run.status === "completed" ? 1 : 0;
      const counts = p ? `${p.records} records · ${p.inserted} new · ${p.duplicates} duplicate · ${p.deadLetters} rejected` : "";
      if (p?.alreadyImported || (body.run.status === "completed" && p?.alreadyImported !== false)) {
        setProgress({ state: "completed", fraction: 1, text: p?.alreadyImported ? "Already imported: nothing added." : `Done: ${counts}` });
        return;
      }
      if (body.run.status === "completed" || p?.state === "completed") return setProgress({ state: "completed", fraction: 1, text: `Done: ${counts}` });
      if (body.run.status === "failed" || p?.state === "failed") return setProgress({ state: "failed", fraction, text: `Failed: ${p?.error ?? "see the server log"}` });
      setProgress({ state: "running", fraction, text: `Importing… ${counts}` });
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get("file");
    const format = String(form.get("format") ?? "");
    if (!(file instanceof File) || file.size === 0) return setProgress({ state: "failed", fraction: 0, text: "Choose a file first." });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/imports?format=${encodeURIComponent(format)}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => setProgress({ state: "uploading", fraction: e.lengthComputable ? e.loaded / e.total : 0, text: "Uploading…" });
    xhr.onerror = () => setProgress({ state: "failed", fraction: 0, text: "Upload failed (network error)." });
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { runId?: string; error?: { message: string } };
        if (xhr.status >= 400 || !body.runId) return setProgress({ state: "failed", fraction: 0, text: body.error?.message ?? `Upload failed (${xhr.status}).` });
        void poll(body.runId);
      } catch {
        setProgress({ state: "failed", fraction: 0, text: `Upload failed (${xhr.status}).` });
      }
    };
    setProgress({ state: "uploading", fraction: 0, text: "Uploading…" });
    xhr.send(file);
  }

  return (
    <form className="toolbar" onSubmit={submit} aria-label="Import a log file">
      <label>
        File <input type="file" name="file" required />
      </label>
      <label>
        Format{" "}
        <select name="format" defaultValue="mosquitto">
          {formats.map((f) => (
            <option key={f.name} value={f.name} title={f.description}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button" disabled={progress?.state === "uploading" || progress?.state === "running"}>
        Import
      </button>
      {progress ? (
        <div className="import-progress" role="status">
          <progress max={1} value={progress.fraction} aria-label="Import progress" /> <span className={progress.state === "failed" ? "error-text" : "muted"}>{progress.text}</span>
        </div>
      ) : null}
    </form>
  );
}
