export type DeliveryPolicy = {
  /** Attempts in all (a claim abandoned by a crashed worker counts as one). */
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** How long a claim stays with its worker before another may take the row over. */
  leaseMs: number;
  /** Per attempt; must stay well under `leaseMs`. */
  timeoutMs: number;
};

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  baseBackoffMs: 10_000,
  maxBackoffMs: 600_000,
  leaseMs: 60_000,
  timeoutMs: 10_000,
};

/** 10 s, 20 s, 40 s, … capped at 10 min: eight attempts span about 21 minutes. `attempt` is the one that just failed (1-based). */
export function retryDelayMs(attempt: number, policy: Pick<DeliveryPolicy, "baseBackoffMs" | "maxBackoffMs">): number {
  return Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
}
