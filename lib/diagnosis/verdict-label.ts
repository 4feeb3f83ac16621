import type { Finding } from "./types.ts";

const SEVERITY_LABEL = { critical: "Problem", warning: "Needs attention", info: "Worth knowing", expected: "Expected" } as const;

/** Findings about the fleet or the server: minor for this device because the cause is not on it. */
const CAUSE_OUTSIDE_THE_DEVICE = new Set(["fleet-wide-drops"]);

/**
 * The word before a verdict's title. Minor findings are often the device's own doing (a keepalive a little long, its
 * own reconnects taking its session over), so only those whose cause lies elsewhere say "Not the device".
 */
export function verdictLabel(finding: Pick<Finding, "severity" | "analyzer">): string {
  if (finding.severity === "info" && CAUSE_OUTSIDE_THE_DEVICE.has(finding.analyzer)) return "Not the device";
  return SEVERITY_LABEL[finding.severity];
}
