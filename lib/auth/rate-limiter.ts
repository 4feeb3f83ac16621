/**
 * Counts attempts per key in a fixed window. In-process: with several web server processes each keeps its own
 * counts, so the effective limit is multiplied by the process count (documented in the README).
 */
export type RateLimiter = {
  /** True when `key` has used up its attempts in the current window. */
  isLimited(key: string, now?: number): boolean;
  /** Counts one attempt against `key`; returns true when this attempt went over the limit. */
  hit(key: string, now?: number): boolean;
  reset(key: string): void;
  retryAfterSeconds(key: string, now?: number): number;
};

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>();
  const maxKeys = options.maxKeys ?? 10_000;

  function current(key: string, now: number) {
    const window = windows.get(key);
    if (!window || now - window.startedAt >= options.windowMs) return undefined;
    return window;
  }

  return {
    isLimited(key, now = Date.now()) {
      return (current(key, now)?.count ?? 0) >= options.limit;
    },
    hit(key, now = Date.now()) {
      const window = current(key, now);
      if (window) {
        window.count += 1;
        return window.count > options.limit;
      }
      // Bounded memory under a spray of distinct keys: forget the oldest windows first.
      if (windows.size >= maxKeys) {
        for (const [oldKey] of windows) {
          windows.delete(oldKey);
          if (windows.size < maxKeys) break;
        }
      }
      windows.delete(key);
      windows.set(key, { startedAt: now, count: 1 });
      return 1 > options.limit;
    },
    reset(key) {
      windows.delete(key);
    },
    retryAfterSeconds(key, now = Date.now()) {
      const window = current(key, now);
      return window ? Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1000)) : 0;
    },
  };
}

const globalLimiters = globalThis as unknown as { linkscopeRateLimiters?: Map<string, RateLimiter> };

/** Process-wide named limiters (Next may load a module once per route bundle; globalThis is shared). */
export function getSharedRateLimiter(name: string, options: { limit: number; windowMs: number }): RateLimiter {
  globalLimiters.linkscopeRateLimiters ??= new Map();
  let limiter = globalLimiters.linkscopeRateLimiters.get(name);
  if (!limiter) {
    limiter = createRateLimiter(options);
    globalLimiters.linkscopeRateLimiters.set(name, limiter);
  }
  return limiter;
}

/** Sign-in: 10 failed attempts per account and 50 per client address in 15 minutes. */
export const SIGN_IN_LIMITS = {
  perAccount: { limit: 10, windowMs: 15 * 60_000 },
  perAddress: { limit: 50, windowMs: 15 * 60_000 },
} as const;
/** Bearer tokens: 20 refused tokens per client address per minute. */
export const TOKEN_LIMITS = { perAddress: { limit: 20, windowMs: 60_000 } } as const;

export function getSignInLimiters(): { perAccount: RateLimiter; perAddress: RateLimiter } {
  return {
    perAccount: getSharedRateLimiter("sign-in-account", SIGN_IN_LIMITS.perAccount),
    perAddress: getSharedRateLimiter("sign-in-address", SIGN_IN_LIMITS.perAddress),
  };
}

export function getTokenLimiter(): RateLimiter {
  return getSharedRateLimiter("api-token-address", TOKEN_LIMITS.perAddress);
}
