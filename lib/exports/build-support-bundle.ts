import type { Db } from "@/lib/db/client.ts";
import { buildSupportTicket } from "@/lib/diagnosis/build-support-ticket.ts";
import { recommendClientConfig, type ConfigRecommendation } from "@/lib/diagnosis/recommend-client-config.ts";
import type { DeviceDiagnosis } from "@/lib/diagnosis/types.ts";
import { getDevice, type DeviceDetail } from "@/lib/queries/get-device.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import type { DeviceEvent } from "@/lib/queries/list-device-events.ts";
import { listDeviceProbeRuns } from "@/lib/probe/list-device-probe-runs.ts";
import type { ProbeReport } from "@/lib/probe/probe-report.ts";
import { loadDeviceHistory, type DeviceHistory } from "./load-device-history.ts";
import { redactSecrets, type RedactionOptions } from "@/lib/security/redact.ts";

const TICKET_FAILURES = 10;

export type SupportBundle = {
  generatedAt: Date;
  redaction: { secrets: true; ips: boolean };
  device: DeviceDetail;
  window: { from: Date; to: Date };
  diagnosis: DeviceDiagnosis;
  recommendedSettings: ConfigRecommendation[];
  supportTicket: string;
  history: DeviceHistory;
};

/** Recommended settings and the vendor-ticket text from a diagnosis and the device's events (oldest first); unredacted. */
export function buildDeviceTicket(
  device: DeviceDetail,
  diagnosis: DeviceDiagnosis,
  events: readonly DeviceEvent[],
  probeRuns: readonly ProbeReport[] = [],
): { recommendedSettings: ConfigRecommendation[]; supportTicket: string } {
  const recommendedSettings = recommendClientConfig(diagnosis);
  const recentFailures = events
    .filter((event) => (event.kind === "disconnected" || event.kind === "connect_failed") && event.reason !== "client_disconnect")
    .slice(-TICKET_FAILURES)
    .reverse();
  return {
    recommendedSettings,
    supportTicket: buildSupportTicket({ device, diagnosis, config: recommendedSettings, recentFailures, probeRuns }),
  };
}

/** Everything a vendor or a colleague needs about one device over a window, redacted; null for an unknown device. */
export async function buildSupportBundle(
  db: Db,
  input: { deviceId: string; from: Date; to: Date; now?: Date },
  options: RedactionOptions,
): Promise<SupportBundle | null> {
  const now = input.now ?? new Date();
  const device = await getDevice(db, input.deviceId, now);
  if (!device) return null;
  const [diagnosis, history, probeRuns] = await Promise.all([
    getDeviceDiagnosis(db, { deviceId: input.deviceId, from: input.from, to: input.to }),
    loadDeviceHistory(db, input),
    listDeviceProbeRuns(db, input.deviceId, 3),
  ]);
  const reports = probeRuns.map((run) => run.report);
  const { recommendedSettings, supportTicket } = buildDeviceTicket(device, diagnosis, history.events, reports);
  return redactSecrets(
    {
      generatedAt: now,
      redaction: { secrets: true, ips: options.redactIps },
      device,
      window: { from: input.from, to: input.to },
      diagnosis,
      recommendedSettings,
      supportTicket,
      history,
    },
    options,
  );
}
