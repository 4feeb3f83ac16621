import { describe, expect, it } from "vitest";
import { generateCorpus } from "./corpus/generate-corpus.ts";
import type { FormatId } from "./corpus/formats.ts";
import type { PerturbationId } from "./corpus/perturbations.ts";
import { diagnoseDevice } from "./diagnose-device.ts";

/** One corpus scenario as a real feed perturbed it (lib/diagnosis/corpus/perturbations.ts). */
function perturbed(pattern: string, format: FormatId, seed: number, perturbation: PerturbationId) {
  const scenario = generateCorpus({ seed, patterns: [pattern], formats: [format], perturbation })[0];
  if (!scenario) throw new Error(`${pattern}/${format}~${perturbation}#${seed} is not generated`);
  return diagnoseDevice(scenario.input);
}

describe("verdicts on perturbed histories", () => {
  // The agent stamps local time and its clock moved an hour part-way: one offset left half its reports an hour off,
  // each a second drop, and the JWT period was "Sessions ended for expired or revoked credentials" (0.85).
  it.each([
    ["periodic-jwt", "aws-iot", 1],
    ["periodic-jwt", "emqx", 2],
    ["azure-token-renewal", "azure-iot-hub", 2],
  ] as const)("%s in %s (seed %i) with a daylight-saving change of the agent's clock keeps its verdict", (pattern, format, seed) => {
    const diagnosis = perturbed(pattern, format, seed, "device-clock-dst");
    expect(diagnosis.verdict?.analyzer).toBe(pattern === "azure-token-renewal" ? "token-renewal" : "periodic-drops");
  });

  // Renewals whose 401003, 404104 or reconnect the feed lost were "Periodic drops at credential expiry" (0.98) or
  // "Sessions ended for expired or revoked credentials" (0.85) beside the recognised renewals at the same rhythm.
  it.each([
    ["lost-connects", 1],
    ["lost-connects", 2],
    ["lost-random", 1],
    ["lost-random", 2],
    ["lost-drops", 1],
    ["lost-drops", 2],
  ] as const)("Azure token renewals with records lost (%s, seed %i) stay the expected renewal", (perturbation, seed) => {
    const diagnosis = perturbed("azure-token-renewal", "azure-iot-hub", seed, perturbation);
    expect(diagnosis.verdict?.analyzer).toBe("token-renewal");
    expect(diagnosis.findings.filter((finding) => finding.severity === "warning" || finding.severity === "critical")).toEqual([]);
  });

  // Random drops read as "a NAT that forgets idle flows within 15 s" (keepalive-too-long at 0.96, "set the keepalive to
  // 5 s"): five to twenty uptimes with a median of minutes happened to sit close together, and every random uptime
  // also lasts its own 10th percentile. A window now has to be unlikely for random uptimes of that median.
  it.each([
    ["poisson-frequent", "mosquitto-2.1", 42, "short-history"],
    ["poisson-frequent", "emqx", 105, "short-history"],
    ["poisson-frequent", "emqx", 182, "lost-random"],
    ["periodic-idle", "emqx", 26, "device-clock-dst"],
  ] as const)("%s in %s (seed %i, %s) reads no NAT window from its drops", (pattern, format, seed, perturbation) => {
    const diagnosis = perturbed(pattern, format, seed, perturbation);
    expect(diagnosis.findings.filter((finding) => finding.analyzer === "keepalive-too-long")).toEqual([]);
  });
});
