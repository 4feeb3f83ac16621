import type { ProbeReport } from "./probe-report.ts";

/** One line per probe run for a support ticket: when, which endpoint, the verdict and the failing step's code. */
export function describeProbeRunsForTicket(reports: readonly ProbeReport[]): string[] {
  return reports.map((report) => {
    const failed = report.steps.find((step) => step.status === "fail");
    const flags = [...new Set(report.steps.flatMap((step) => step.flags))];
    const verdict = failed ? `FAIL at ${failed.name}: ${failed.summary}${failed.code ? ` (${failed.code})` : ""}` : "PASS";
    return `  ${report.startedAt}  ${report.target.url} MQTT ${report.target.mqttVersion === 5 ? "5" : "3.1.1"}  ${verdict}${flags.length ? `  flags: ${flags.join(", ")}` : ""}`;
  });
}
