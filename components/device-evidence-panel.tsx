import { getDb } from "@/lib/db/client.ts";
import { listDeviceSamples } from "@/lib/device-evidence/device-samples.ts";
import { shapeVitalsSeries } from "@/lib/device-evidence/shape-vitals-series.ts";
import { DIAGNOSIS_WINDOW_MS } from "@/lib/queries/load-diagnosis-input.ts";
import { DeviceEvidenceUpload } from "./device-evidence-upload.tsx";
import { DeviceUploadGate } from "./device-upload-gate.tsx";
import { DeviceVitalsChart } from "./device-vitals-chart.tsx";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";

/** Samples drawn: the diagnosis window at up to a few thousand readings. */
const MAX_SAMPLES_SHOWN = 5_000;

/**
 * What the device measured (signal, battery, memory, publish rate) over the diagnosis window, and the upload of
 * device-side evidence (collector export, Home Assistant diagnostics, journal or syslog). Loads its own data.
 */
export async function DeviceEvidencePanel({ deviceId }: { deviceId: string }) {
  const to = new Date();
  const from = new Date(to.getTime() - DIAGNOSIS_WINDOW_MS);
  const samples = await listDeviceSamples(getDb(), { deviceId, from, to, limit: MAX_SAMPLES_SHOWN });
  const series = shapeVitalsSeries(samples, { from, to });
  const { latest } = series;
  return (
    <section className="panel device-evidence" aria-labelledby="device-evidence-title">
      <div className="panel-header">
        <h2 id="device-evidence-title">Signal and device logs</h2>
        <p className="muted">
          {latest.at
            ? `What the device measured · ${formatCount(samples.length)} readings over 14 days, newest ${formatTimestamp(latest.at)} (device clock)`
            : "No signal or vitals from this device. The Linkscope agent reports them when the application supplies them; collector exports add publish counts."}
        </p>
      </div>
      {latest.at ? (
        <>
          <dl className="stats" aria-label="Latest device vitals">
            {(
              [
                ["Signal", latest.rssiDbm === null ? "—" : `${Math.round(latest.rssiDbm)} dBm`],
                ["Battery", latest.batteryPct === null ? "—" : `${Math.round(latest.batteryPct)} %`],
                ["Free memory", latest.freeMemoryBytes === null ? "—" : `${formatCount(Math.round(latest.freeMemoryBytes / 1024))} KiB`],
                ["Process uptime", latest.uptimeSec === null ? "—" : formatDuration(latest.uptimeSec * 1000)],
              ] as const
            ).map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <DeviceVitalsChart series={series} />
        </>
      ) : null}
      <DeviceUploadGate what="device files">
        <DeviceEvidenceUpload deviceId={deviceId} />
      </DeviceUploadGate>
    </section>
  );
}
