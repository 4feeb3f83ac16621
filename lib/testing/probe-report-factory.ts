import {
  PROBE_STEP_NAMES,
  type ProbeOptions,
  type ProbeReport,
  type ProbeRunner,
  type ProbeStep,
  type ProbeStepName,
} from "@/lib/probe/probe-report.ts";

/** Test data: the steps a default probe runs (no pub/sub, no idle hold). */
const DEFAULT_STEPS: readonly ProbeStepName[] = ["dns", "tcp", "tls", "mqtt_connect", "ping"];

/**
 * Test data: a ProbeReport for `url` started at `at`, every default step passing in `stepMs`, or failing at
 * `failAt` (later steps skipped) with `explanation`.
 */
export function buildProbeReport(
  input: { url?: string; at?: Date; failAt?: ProbeStepName; explanation?: string; stepMs?: number } = {},
): ProbeReport {
  const url = new URL(input.url ?? "mqtts://broker.test:8883");
  const at = input.at ?? new Date();
  const stepMs = input.stepMs ?? 12;
  const failIndex = input.failAt ? PROBE_STEP_NAMES.indexOf(input.failAt) : -1;
  const steps = PROBE_STEP_NAMES.map((name, index): ProbeStep => {
    const asked = DEFAULT_STEPS.includes(name) || name === input.failAt;
    const status: ProbeStep["status"] = !asked || (failIndex >= 0 && index > failIndex) ? "skipped" : index === failIndex ? "fail" : "pass";
    return {
      name,
      status,
      durationMs: status === "skipped" ? null : stepMs,
      summary: status === "fail" ? `${name} failed` : status === "pass" ? `${name} passed` : `${name} skipped`,
      explanation: status === "fail" ? (input.explanation ?? `${name} failed in the test`) : null,
      code: null,
      flags: [],
      details: {},
    };
  });
  const finishedAt = new Date(at.getTime() + stepMs * steps.filter((step) => step.status !== "skipped").length);
  return {
    version: 1,
    target: {
      url: url.toString(),
      host: url.hostname,
      port: Number(url.port || 8883),
      protocol: url.protocol.replace(":", "") as "mqtts",
      mqttVersion: 4,
    },
    startedAt: at.toISOString(),
    finishedAt: finishedAt.toISOString(),
    ok: failIndex < 0,
    steps,
  };
}

/** Test data: a ProbeRunner that answers from `respond` and remembers every call's options. */
export function createFakeProbeRunner(
  respond: (options: ProbeOptions) => ProbeReport | Promise<ProbeReport> = (options) => buildProbeReport({ url: options.url }),
) {
  const calls: ProbeOptions[] = [];
  const runner: ProbeRunner = async (options) => {
    calls.push(options);
    return respond(options);
  };
  return { runner, calls };
}
