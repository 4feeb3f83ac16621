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
    url: z.string().min(1).max(2_000),
    clientId: z.string().max(256).optional(),
    username: z.string().max(1_000).optional(),
    password: z.string().max(8_000).optional(),
    caPem: Pem.optional(),
    certPem: Pem.optional(),
    keyPem: Pem.optional(),
    mqttVersion: z.union([z.literal(4), z.literal(5)]).optional(),
    servername: z.string().max(255).optional(),
    pubSub: z.boolean().optional(),
    idleSeconds: z.number().int().min(0).max(SERVER_PROBE_LIMITS.maxIdleSeconds).optional(),
    stepTimeoutMs: z.number().int().min(100).max(SERVER_PROBE_LIMITS.maxStepTimeoutMs).optional(),
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
