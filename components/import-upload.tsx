"use client";

import { useQueryClient } from "@tanstack/react-query";
import { DEAD_LETTERS_KEY } from "./dead-letters-panel.tsx";
import { useEffect, useState, type FormEvent } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ImportSniff } from "@/lib/ingest/sniff-import.ts";
import type { getImportRun } from "@/lib/queries/get-import-run.ts";
import { formatCountOf, formatPercent, formatTimestamp } from "./format.ts";
import { describeProgressWriteFailures } from "@/lib/ingest/describe-progress-write-failures.ts";
import { RECENT_IMPORTS_KEY } from "./recent-imports.tsx";
import { DataTable, type DataTableColumn } from "./data-table.tsx";

type PreviewEvent = Jsonify<ImportSniff>["chosen"]["preview"][number];

const PREVIEW_COLUMNS: DataTableColumn<PreviewEvent>[] = [
  { header: "Time", className: "nowrap", cell: (event) => formatTimestamp(event.occurredAt) },
  { header: "Device", className: "mono", cell: (event) => event.deviceId },
  { header: "Event", cell: (event) => event.kind },
  { header: "Reason", cell: (event) => event.reason },
  { header: "Code", className: "mono", cell: (event) => event.code ?? "—" },
];

type Progress = { state: "uploading" | "running" | "completed" | "failed"; fraction: number; text: string };
type ImportStatus = Jsonify<NonNullable<Awaited<ReturnType<typeof getImportRun>>>>;
type Preview = { state: "checking" } | { state: "failed"; message: string } | { state: "ready"; sniff: Jsonify<ImportSniff> };

/** The head of the file the server looks at before an import (lib/ingest/sniff-import.ts SNIFF_SAMPLE_BYTES). */
const SAMPLE_BYTES = 256 * 1024;
/** Above this share of rejected records the import must be confirmed: the format is probably wrong. */
const CONFIRM_REJECTION_RATE = 0.5;

/**
 * Upload an exported log: the file's head is checked first (binary files refused, the right format suggested, the
 * first records previewed with the rejection rate), then the upload and the import's progress polled from the server.
 */
export function ImportUpload({ formats }: { formats: { name: string; description: string }[] }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState(formats[0]?.name ?? "mosquitto");
  // Year-less syslog lines (`Dec  4 23:30:56 host mosquitto[812]: …`): empty infers the year from the time of the upload.
  const [year, setYear] = useState("");
  const yearQuery = /^\d{4}$/.test(year) ? `&year=${year}` : "";
  const [preview, setPreview] = useState<Preview | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);

  useEffect(() => {
    if (!file) return setPreview(null);
    const controller = new AbortController();
    setPreview({ state: "checking" });
    setConfirmed(false);
    void requestPreview(file, format, yearQuery, controller.signal)
      .then((sniff) => setPreview({ state: "ready", sniff }))
      .catch((error: Error) => {
        if (!controller.signal.aborted) setPreview({ state: "failed", message: error.message });
      });
    return () => controller.abort();
  }, [file, format, yearQuery]);

  async function poll(runId: string): Promise<void> {
    const finish = (next: Progress) => {
      setProgress(next);
      void queryClient.invalidateQueries({ queryKey: RECENT_IMPORTS_KEY });
      // The run's rejected records are dead letters now: the panel below should not still say there are none.
      void queryClient.invalidateQueries({ queryKey: DEAD_LETTERS_KEY });
    };
    for (;;) {
      const response = await fetch(`/api/v1/imports/${runId}`, { headers: { accept: "application/json" } });
      if (!response.ok) return finish({ state: "failed", fraction: 0, text: `Could not read the import's progress (${response.status}).` });
      const { progress: p } = (await response.json()) as ImportStatus;
      const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
      const counts = `${p.records} records · ${p.inserted} new · ${p.duplicates} duplicate · ${p.deadLetters} rejected`;
      const failures = describeProgressWriteFailures(p.progressWriteFailures);
      if (p.state === "completed")
        return finish({ state: "completed", fraction: 1, text: `Done: ${counts}${failures ? `. ${failures}` : ""}` });
      if (p.state === "failed") {
        const error = p.error ?? "see the server log";
        const retry = "The worker retries it a few times, minutes apart; uploading the file again resumes it at once.";
        return finish({ state: "failed", fraction, text: `Failed: ${error}. ${retry}` });
      }
      // The upload is stored in the database, so a worker resumes the run from its last batch (decision 053).
      const text =
        p.state === "interrupted"
          ? `Interrupted after ${counts}: the server importing it stopped. A worker resumes it from the stored copy…`
          : `Importing… ${counts}`;
      setProgress({ state: "running", fraction, text });
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (!file || file.size === 0) return setProgress({ state: "failed", fraction: 0, text: "Choose a file first." });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/imports?format=${encodeURIComponent(format)}&name=${encodeURIComponent(file.name)}${yearQuery}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) =>
      setProgress({ state: "uploading", fraction: e.lengthComputable ? e.loaded / e.total : 0, text: "Uploading…" });
    xhr.onerror = () => setProgress({ state: "failed", fraction: 0, text: "Upload failed (network error)." });
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { runId?: string; alreadyImported?: boolean; error?: { message: string } };
        if (xhr.status >= 400 || !body.runId)
          return setProgress({ state: "failed", fraction: 0, text: body.error?.message ?? `Upload failed (${xhr.status}).` });
        if (body.alreadyImported) return setProgress({ state: "completed", fraction: 1, text: "Already imported: nothing added." });
        void poll(body.runId);
      } catch {
        setProgress({ state: "failed", fraction: 0, text: `Upload failed (${xhr.status}).` });
      }
    };
    setProgress({ state: "uploading", fraction: 0, text: "Uploading…" });
    xhr.send(file);
  }

  const sniff = preview?.state === "ready" ? preview.sniff : null;
  const needsConfirmation = sniff !== null && sniff.chosen.rejectionRate > CONFIRM_REJECTION_RATE;
  const busy = progress?.state === "uploading" || progress?.state === "running";
  const importable = sniff !== null && sniff.refusal === null && sniff.chosen.events > 0 && (!needsConfirmation || confirmed);

  return (
    <form className="import-form" onSubmit={submit} aria-label="Import a log file">
      <div className="toolbar">
        <label>
          File <input type="file" name="file" required onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />
        </label>
        <label>
          Format{" "}
          <select name="format" value={format} onChange={(event) => setFormat(event.currentTarget.value)}>
            {formats.map((f) => (
              <option key={f.name} value={f.name} title={f.description}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label title="For syslog lines that carry no year (Dec  4 23:30:56 host mosquitto[812]: …): the year of the file's first line. Empty: inferred from today, and flagged as inferred.">
          Year of syslog lines{" "}
          <input
            type="number"
            name="year"
            min={1970}
            max={9999}
            placeholder="inferred"
            value={year}
            onChange={(event) => setYear(event.currentTarget.value)}
          />
        </label>
        <button type="submit" className="button" disabled={busy || !importable}>
          Import
        </button>
      </div>
      {preview?.state === "checking" ? (
        <p className="muted" role="status">
          Checking the file…
        </p>
      ) : null}
      {preview?.state === "failed" ? (
        <p className="error-text" role="alert">
          Could not check the file: {preview.message}
        </p>
      ) : null}
      {sniff ? (
        <ImportPreview sniff={sniff} onUseFormat={setFormat} confirmation={needsConfirmation ? { confirmed, setConfirmed } : null} />
      ) : null}
      {progress ? (
        <div className="import-progress" role="status">
          <progress max={1} value={progress.fraction} aria-label="Import progress" />{" "}
          <span className={progress.state === "failed" ? "error-text" : "muted"}>{progress.text}</span>
        </div>
      ) : null}
    </form>
  );
}

async function requestPreview(file: File, format: string, yearQuery: string, signal: AbortSignal): Promise<Jsonify<ImportSniff>> {
  const head = file.slice(0, SAMPLE_BYTES);
  const response = await fetch(`/api/v1/imports/preview?format=${encodeURIComponent(format)}&size=${file.size}${yearQuery}`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/octet-stream" },
    body: head,
    signal,
  });
  const body = (await response.json()) as Jsonify<ImportSniff> & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `${response.status}`);
  return body;
}

function ImportPreview({
  sniff,
  onUseFormat,
  confirmation,
}: {
  sniff: Jsonify<ImportSniff>;
  onUseFormat: (format: string) => void;
  confirmation: { confirmed: boolean; setConfirmed: (value: boolean) => void } | null;
}) {
  if (sniff.refusal)
    return (
      <p className="error-text" role="alert">
        This file cannot be imported: {sniff.refusal}.
      </p>
    );
  const { chosen } = sniff;
  const suggested = sniff.suggested ? sniff.fits.find((fit) => fit.name === sniff.suggested) : undefined;
  const scope = sniff.complete ? "the file" : "the first 256 KB";
  return (
    <div className="import-preview" aria-label="Import preview">
      {suggested ? (
        <p className="notice" role="alert">
          This looks like <strong>{suggested.title}</strong>: {formatCountOf(suggested.events, "event")} in {scope}, against {chosen.events}{" "}
          as {chosen.name}.{" "}
          <button type="button" className="button button-small" onClick={() => onUseFormat(suggested.name)}>
            Use {suggested.name}
          </button>
        </p>
      ) : null}
      <p className={chosen.events === 0 ? "error-text" : "muted"}>
        {chosen.events === 0
          ? `The ${chosen.name} format reads no events from ${scope}; nothing would be imported.`
          : `In ${scope}: ${formatCountOf(chosen.records, "record")}, ${formatCountOf(chosen.events, "event")}, ${chosen.rejected} rejected (${formatPercent(chosen.rejectionRate)}).`}
      </p>
      {chosen.preview.length > 0 ? (
        <DataTable
          label="First events in the file"
          columns={PREVIEW_COLUMNS}
          rows={chosen.preview}
          rowKey={(_, index) => String(index)}
          emptyText={null}
        />
      ) : null}
      {chosen.firstRejections.length > 0 ? (
        <details>
          <summary>Why records were rejected</summary>
          <ul>
            {chosen.firstRejections.map((rejection) => (
              <li key={rejection.index}>
                record {rejection.index + 1}: {rejection.error}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {confirmation && chosen.events > 0 ? (
        <label className="notice">
          <input
            type="checkbox"
            checked={confirmation.confirmed}
            onChange={(event) => confirmation.setConfirmed(event.currentTarget.checked)}
          />{" "}
          {formatPercent(chosen.rejectionRate)} of the records would become dead letters; import anyway
        </label>
      ) : null}
    </div>
  );
}
