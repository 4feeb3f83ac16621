import { z } from "zod";

/**
 * Hardened connection settings (the field guide's recommended configuration), each overridable:
 * a keepalive well under typical NAT idle timeouts (300–600 s), fast first retry, exponential backoff with jitter
 * capped at a minute, fresh credentials after 5 failed quick attempts, unlimited attempts, and a bounded queue
 * that keeps commands issued while offline and sends them after reconnecting.
 */
export const AgentConnectionConfigSchema = z.object({
  keepaliveSec: z.number().int().min(0).max(65_535).default(60),
  initialReconnectDelayMs: z.number().int().min(0).max(3_600_000).default(500),
  maxReconnectDelayMs: z.number().int().min(0).max(3_600_000).default(60_000),
  /** Each delay is drawn from ±jitterRatio around the backoff step (0 = exact doubling). */
  jitterRatio: z.number().min(0).max(1).default(0.2),
  /** Attempts beyond this many failed quick ones ask the credential provider for fresh credentials. */
  deepReconnectThreshold: z.number().int().min(1).max(1_000).default(5),
  /** -1 = unlimited. */
  maxReconnectAttempts: z.number().int().min(-1).default(-1),
  enableCommandQueue: z.boolean().default(true),
  maxQueuedCommands: z.number().int().min(0).max(100_000).default(200),
  /** Bound on retained drop, connection and system events (memory stays flat however long the device runs). */
  maxEventsRetained: z.number().int().min(1).max(100_000).default(1_000),
  /** Bound on device reports waiting for a connection; the oldest are dropped (and counted) beyond it. */
  maxPendingReports: z.number().int().min(0).max(10_000).default(100),
  connectTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});
export type AgentConnectionConfig = z.infer<typeof AgentConnectionConfigSchema>;
export type AgentConnectionConfigInput = z.input<typeof AgentConnectionConfigSchema>;

export const HARDENED_CONNECTION_CONFIG: AgentConnectionConfig = AgentConnectionConfigSchema.parse({});

export function resolveConnectionConfig(overrides: AgentConnectionConfigInput = {}): AgentConnectionConfig {
  const config = AgentConnectionConfigSchema.parse(overrides);
  if (config.maxReconnectDelayMs < config.initialReconnectDelayMs) {
    throw new Error(
      `maxReconnectDelayMs (${config.maxReconnectDelayMs}) is below initialReconnectDelayMs (${config.initialReconnectDelayMs})`,
    );
  }
  return config;
}

/** The un-jittered delay before reconnect attempt `attempt` (1-based): initial × 2^(attempt−1), capped. */
export function computeBackoffStep(
  attempt: number,
  config: Pick<AgentConnectionConfig, "initialReconnectDelayMs" | "maxReconnectDelayMs">,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(config.maxReconnectDelayMs, config.initialReconnectDelayMs * 2 ** exponent);
}

/** The delay before attempt `attempt`, with jitter, never above the cap. `random` returns [0, 1). */
export function computeReconnectDelay(
  attempt: number,
  config: Pick<AgentConnectionConfig, "initialReconnectDelayMs" | "maxReconnectDelayMs" | "jitterRatio">,
  random: () => number,
): number {
  const step = computeBackoffStep(attempt, config);
  const factor = 1 - config.jitterRatio + 2 * config.jitterRatio * random();
  return Math.round(Math.min(config.maxReconnectDelayMs, step * factor));
}

export function isDeepAttempt(attempt: number, config: Pick<AgentConnectionConfig, "deepReconnectThreshold">): boolean {
  return attempt > config.deepReconnectThreshold;
}
