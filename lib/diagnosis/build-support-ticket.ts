import { describeProbeRunsForTicket } from "@/lib/probe/describe-probe-runs.ts";
import type { ProbeReport } from "@/lib/probe/probe-report.ts";
import type { ConfigRecommendation } from "./recommend-client-config.ts";
import type { DeviceDiagnosis } from "./types.ts";

export type TicketDevice = {
  id: string;
  source: string | null;
  brokerNode: string | null;
  firmware: string | null;
  region: string | null;
  network: string | null;
  lastClientIp: string | null;
};

export type TicketEvent = { occurredAt: Date; kind: string; reason: string; code: string | null; message: string | null };

/**
 * Plain text with what a vendor support ticket needs (ClearBlade's and Azure's lists): device ID, exact UTC
 * times, codes, client settings, the verdict, and a placeholder for recent changes only the operator knows.
 */
export function buildSupportTicket(input: {
  device: TicketDevice;
  diagnosis: DeviceDiagnosis;
  recentFailures: readonly TicketEvent[];
  config: readonly ConfigRecommendation[];
  /** Connectivity probes run on the device's network and uploaded, newest first. */
  probeRuns?: readonly ProbeReport[];
}): string {
  const { device, diagnosis } = input;
  const codes = [...new Set(diagnosis.findings.flatMap((finding) => finding.codes))];
  const lines = [
    `Device ID: ${device.id}`,
    `Platform / source: ${[device.source, device.brokerNode].filter(Boolean).join(" · ") || "unknown"}`,
    `Firmware: ${device.firmware ?? "unknown"} · Region: ${device.region ?? "unknown"} · Network: ${device.network ?? "unknown"}`,
    `Last client IP: ${device.lastClientIp ?? "unknown"}`,
    `Observation window (UTC): ${diagnosis.window.from} to ${diagnosis.window.to}`,
    `Connects: ${diagnosis.summary.connects} · Drops: ${diagnosis.summary.drops} · Failed connects: ${diagnosis.summary.failedConnects} · Drops during fleet-wide events: ${diagnosis.summary.fleetWideDrops}`,
    "",
    `Verdict: ${diagnosis.verdict?.verdict ?? "No problem found in the window."}`,
    ...diagnosis.findings.slice(1).map((finding) => `Also: ${finding.verdict}`),
    `Codes: ${codes.length > 0 ? codes.join(", ") : "none"}`,
    "",
    "Most recent failures (UTC, time zone Z):",
    ...(input.recentFailures.length > 0
      ? input.recentFailures.map(
          (event) =>
            `  ${event.occurredAt.toISOString()}  ${event.kind}  ${event.reason}${event.code ? `  ${event.code}` : ""}${event.message ? `  "${event.message}"` : ""}`,
        )
      : ["  none"]),
    "",
    "Client settings:",
    `  keepalive: ${diagnosis.summary.lastKeepaliveSec === null ? "unknown" : `${diagnosis.summary.lastKeepaliveSec} s`}`,
    ...input.config
      .filter((item) => item.observed !== null && item.setting !== "Keepalive")
      .map((item) => `  ${item.setting.toLowerCase()}: ${item.observed}`),
    ...(input.probeRuns?.length
      ? ["", "Connectivity probes from the device's network (UTC):", ...describeProbeRunsForTicket(input.probeRuns)]
      : []),
    "",
    "Recent changes (registry, keys, firmware, network in the last 24 h): <fill in>",
  ];
  return lines.join("\n");
}
