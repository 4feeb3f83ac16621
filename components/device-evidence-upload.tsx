"use client";

import { useId } from "react";
import type { EvidenceImportResult } from "@/lib/device-evidence/import-device-evidence.ts";
import { describeRejectedRecords } from "@/lib/ingest/describe-upload.ts";
import { DeviceFileUpload } from "./device-file-upload.tsx";
import "./device-evidence.css";

type UploadAnswer = Partial<EvidenceImportResult>;

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
  const rejections = describeRejectedRecords(answer);
  if (answer.format !== "system-log") return `Read as ${FORMAT_NAMES[answer.format ?? "collector"]}: ${imported}.${rejections}`;
  const skipped = answer.skipped ? `; ${answer.skipped} older system events over the limit left out` : "";
  return `Read as system log: ${answer.lines ?? 0} lines, ${answer.events ?? 0} system events, ${imported}; ${answer.unrecognized ?? 0} lines were no system event and ${answer.unreadable ?? 0} in no known form${skipped}.${rejections}`;
}

/** Upload of device-side evidence: the collector's export, a Home Assistant diagnostics file, a journal or syslog. */
export function DeviceEvidenceUpload({ deviceId }: { deviceId: string }) {
  const formatId = useId();
  return (
    <DeviceFileUpload<UploadAnswer>
      label="Upload device evidence (collector export, Home Assistant diagnostics, journal or syslog)"
      inputName="evidence"
      accept=".json,.log,.txt,application/json,text/plain"
      className="device-evidence-upload"
      missingFileText="Choose a file first."
      extraFields={
        <>
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
        </>
      }
      toRequest={async (file, form) => {
        const select = form.elements.namedItem("format");
        const format = select instanceof HTMLSelectElement ? select.value : "auto";
        return {
          method: "POST",
          url: `/api/v1/devices/${encodeURIComponent(deviceId)}/evidence?format=${encodeURIComponent(format)}`,
          body: await file.text(),
          contentType: file.name.endsWith(".json") ? "application/json" : "text/plain",
        };
      }}
      describe={(answer) => describeEvidenceAnswer(answer ?? {})}
    />
  );
}
