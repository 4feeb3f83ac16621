import type { ProbeReport } from "./probe-report.ts";

const MARKS = { pass: "✓", fail: "✗", skipped: "-" } as const;

/** The human summary the CLI prints: one line per step, explanations under failures and flags, and the verdict. */
export function formatProbeReport(report: ProbeReport, options: { codesBaseUrl?: string } = {}): string {
  const version = report.target.mqttVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
  const lines = [`Linkscope probe ${report.target.url} (${version})`];
  for (const step of report.steps) {
    const duration = step.durationMs === null ? "" : `${step.durationMs} ms`;
    lines.push(`  ${MARKS[step.status]} ${step.name.padEnd(12)} ${duration.padStart(8)}  ${step.summary}`);
    if (step.flags.length > 0) lines.push(`      flags: ${step.flags.join(", ")}`);
    if (step.explanation && (step.status === "fail" || step.flags.length > 0))
      lines.push(...wrap(step.explanation, 100).map((line) => `      ${line}`));
    if (step.code)
      lines.push(
        `      code: ${step.code}${options.codesBaseUrl ? `  ${options.codesBaseUrl.replace(/\/$/, "")}/codes/${encodeURIComponent(step.code)}` : ""}`,
      );
  }
  const failed = report.steps.filter((step) => step.status === "fail").map((step) => step.name);
  lines.push(report.ok ? "Result: PASS" : `Result: FAIL (${failed.join(", ")})`);
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
