import { z } from "zod";
import type { RateLimiter } from "@/lib/auth/rate-limiter.ts";
import { ForbiddenError, InvalidInputError, RateLimitedError } from "@/lib/errors/domain-errors.ts";
import type { ProbeReport } from "./probe-report.ts";
import { ProbeUrlError, parseProbeTarget } from "./probe-target.ts";
import type { ProbeTargetPolicy } from "./probe-target-policy.ts";
import { runProbeWithPolicy } from "./run-probe.ts";

/** Server-side probes hold an HTTP request open: shorter bounds than the CLI's. */
export const SERVER_PROBE_LIMITS = {
  maxIdleSeconds: 120,
  maxStepTimeoutMs: 10_000,
  perUser: { limit: 10, windowMs: 10 * 60_000 },
} as const;

const Pem = z
  .string()
  .max(64 * 1024)
  .regex(/-----BEGIN [A-Z0-9 ]+-----/, "must be PEM (-----BEGIN …-----)");

export const ServerProbeRequestSchema = z
  .object({
    url: z.string().min(1).max(2_000).describe("the broker: mqtt://, mqtts://, ws:// or wss:// with host and port"),
    clientId: z.string().max(256).optional().describe("the client ID to connect with (default: a random linkscope-probe-… ID)"),
    username: z.string().max(1_000).optional().describe("CONNECT username"),
    password: z.string().max(8_000).optional().describe("CONNECT password: used for this probe only, never stored, logged or returned"),
    caPem: Pem.optional().describe("CA certificates (PEM) to trust instead of the system's, for a private CA"),
    certPem: Pem.optional().describe("client certificate (PEM) for mutual TLS; needs keyPem"),
    keyPem: Pem.optional().describe("the client certificate's private key (PEM); never stored"),
    mqttVersion: z
      .union([z.literal(4), z.literal(5)])
      .optional()
      .describe("4: MQTT 3.1.1, 5: MQTT 5 (reason codes and reason strings are shown)"),
    servername: z.string().max(255).optional().describe("TLS server name (SNI) when it differs from the URL's host"),
    pubSub: z.boolean().optional().describe("after connecting, publish to and receive from a test topic"),
    idleSeconds: z
      .number()
      .int()
      .min(0)
      .max(SERVER_PROBE_LIMITS.maxIdleSeconds)
      .optional()
      .describe("stay connected and idle this long, to see an idle timeout (NAT, load balancer) close the connection"),
    stepTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(SERVER_PROBE_LIMITS.maxStepTimeoutMs)
      .optional()
      .describe("how long each step (DNS, TCP, TLS, CONNECT, …) may take before it counts as timed out"),
  })
  .strict()
  .refine((request) => Boolean(request.certPem) === Boolean(request.keyPem), {
    message: "certPem and keyPem go together",
    path: ["keyPem"],
  });
export type ServerProbeRequest = z.infer<typeof ServerProbeRequestSchema>;

const running = new Set<string>();

/**
 * Runs a probe from the server for `userKey`: the target must be allowed by `policy` (name first, then every address
 * it resolves to, checked on the very addresses the probe connects to), at most `limiter`'s runs per window and one
 * at a time per user. The password is used for the CONNECT only: nothing here stores, logs or returns it.
 */
export async function runServerProbe(
  request: ServerProbeRequest,
  deps: { userKey: string; policy: ProbeTargetPolicy; limiter: RateLimiter; signal?: AbortSignal },
): Promise<ProbeReport> {
  let host: string;
  try {
    host = parseProbeTarget(request.url).host;
  } catch (error) {
    if (error instanceof ProbeUrlError) throw new InvalidInputError("invalid_probe_url", error.message);
    throw error;
  }
  const refusal = deps.policy.refuseHost(host);
  if (refusal)
    throw new ForbiddenError(
      "probe_target_not_allowed",
      `This server may not probe ${host}: ${refusal}. Run the probe CLI (npm run probe) from the device's network instead.`,
      { host },
    );
  const limit = await deps.limiter.hit(deps.userKey);
  if (limit.limited) {
    throw new RateLimitedError("rate_limited", `Too many probes; try again in ${limit.retryAfterSeconds} s.`, limit.retryAfterSeconds);
  }
  if (running.has(deps.userKey)) throw new RateLimitedError("probe_running", "A probe of yours is still running; wait for it to finish.");
  running.add(deps.userKey);
  try {
    return await runProbeWithPolicy({ ...request, ...(deps.signal && { signal: deps.signal }) }, (address) =>
      deps.policy.refuseAddress(address),
    );
  } finally {
    running.delete(deps.userKey);
  }
}
