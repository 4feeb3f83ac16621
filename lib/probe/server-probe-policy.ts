import { createRateLimiter, type RateLimiter } from "@/lib/auth/rate-limiter.ts";
import type { Db } from "@/lib/db/client.ts";
import { readSourcesConfig } from "@/lib/config/sources-config.ts";
import { createProbeTargetPolicy, readProbeTargetEntries, type ProbeTargetPolicy } from "./probe-target-policy.ts";
import { SERVER_PROBE_LIMITS } from "./run-server-probe.ts";

/** The allow-list from LINKSCOPE_PROBE_TARGETS, or the configured sources' hosts when it is not set. */
export function getServerProbePolicy(env: Readonly<Record<string, string | undefined>> = process.env): ProbeTargetPolicy {
  return createProbeTargetPolicy(readProbeTargetEntries(env, () => readSourceUrls(env)));
}

function readSourceUrls(env: Readonly<Record<string, string | undefined>>): string[] {
  try {
    return (readSourcesConfig(env) ?? []).map((source) => source.url);
  } catch {
    // A broken sources file stops the worker with its own message; it only contributes no probe targets here.
    return [];
  }
}

export function getServerProbeLimiter(db: Db): RateLimiter {
  return createRateLimiter(db, "probe-user", SERVER_PROBE_LIMITS.perUser);
}
