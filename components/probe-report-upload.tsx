"use client";

import { deviceApiPath } from "@/lib/http/device-path.ts";
import { DeviceFileUpload } from "./device-file-upload.tsx";

/** Upload of a probe report file (`npm run probe -- … --json > probe.json`) run on the device's network. */
export function ProbeReportUpload({ deviceId }: { deviceId: string }) {
  return (
    <DeviceFileUpload<{ ok: boolean }>
      label="Upload a probe report (JSON)"
      inputName="probe-report"
      accept="application/json,.json"
      missingFileText="Choose a probe report file first."
      toRequest={async (file) => {
        let report: unknown;
        try {
          report = JSON.parse(await file.text());
        } catch {
          return "The file is not JSON: save the probe's --json output.";
        }
        return { method: "POST", url: deviceApiPath(deviceId, "probes"), body: report };
      }}
      describe={(answer) => `Probe report uploaded (${answer?.ok ? "every step passed" : "a step failed"}).`}
    />
  );
}
