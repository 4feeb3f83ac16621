import { getDb } from "@/lib/db/client.ts";
import { listDeviceProbeRuns } from "@/lib/probe/list-device-probe-runs.ts";
import { DeviceUploadGate } from "./device-upload-gate.tsx";
import { formatTimestamp } from "./format.ts";
import { ProbeReportUpload } from "./probe-report-upload.tsx";
import { ProbeReportView } from "./probe-report-view.tsx";

const RUNS_SHOWN = 3;

/** Connectivity probes run on the device's own network and uploaded here (CLI `--upload` or the JSON file). */
export async function DeviceProbeRunsPanel({ deviceId }: { deviceId: string }) {
  const runs = await listDeviceProbeRuns(getDb(), deviceId, RUNS_SHOWN);
  return (
    <section className="panel" aria-labelledby="probe-runs-title">
      <div className="panel-header">
        <h2 id="probe-runs-title">Connectivity probes</h2>
        <p className="muted">
          {runs.length > 0
            ? "Run on the device's network and uploaded, newest first."
            : "No probe runs yet. On the device's network run `npm run probe -- mqtts://host:8883 --json > probe.json` (or with --upload --device) and upload the file."}
        </p>
      </div>
      {runs.map((run) => (
        <div key={run.id}>
          <p className="muted">
            Uploaded {formatTimestamp(run.uploadedAt.toISOString())} by {run.uploadedBy}
          </p>
          <ProbeReportView report={run.report} headingLevel={3} />
        </div>
      ))}
      <DeviceUploadGate what="probe runs">
        <ProbeReportUpload deviceId={deviceId} />
      </DeviceUploadGate>
    </section>
  );
}
