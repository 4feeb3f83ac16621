import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

/**
 * Counts attempts per key in a fixed window kept in Postgres (`rate_limit_counters`), so every web process shares
 * one count. Expired rows are reset by the next attempt and deleted by the worker's retention pass.
 */
const CounterRowSchema = z.object({ count: z.number(), expires_at: SqlDate });

export type RateLimitState = { limited: boolean; retryAfterSeconds: number };

export type RateLimiter = {
  /**
   * Whether `key` has used up its attempts in the current window (counts nothing). Only to answer early: a limit
   * that guards a check counts with `hit` before checking, or a concurrent burst passes this all at once.
   */
  check(key: string, now?: Date): Promise<RateLimitState>;
  /** Counts one attempt against `key`; `limited` is true when this attempt went over the limit. */
  hit(key: string, now?: Date): Promise<RateLimitState>;
  reset(key: string): Promise<void>;
  /** Gives back one attempt counted by `hit` (an attempt that turned out to be legitimate). */
  release(key: string, now?: Date): Promise<void>;
};

export type RateLimit = { limit: number; windowMs: number };

/** Keys are client addresses, emails or actor IDs; longer input is cut so a crafted key cannot bloat the table. */
const MAX_KEY_LENGTH = 300;

export function createRateLimiter(db: Db, limiter: string, options: RateLimit): RateLimiter {
  const state = (count: number, expiresAt: Date, now: Date, limit: number): RateLimitState => ({
    limited: count > limit,
    retryAfterSeconds: count > limit ? Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)) : 0,
  });
  return {
    async check(key, now = new Date()) {
      const rows = await queryRows(
        db,
        "rateLimiter.check",
        CounterRowSchema,
        Prisma.sql`
        SELECT count, expires_at FROM rate_limit_counters
        WHERE limiter = ${limiter} AND key = ${key.slice(0, MAX_KEY_LENGTH)} AND expires_at > ${now}`,
      );
      const row = rows[0];
      // The next attempt would be refused once the window holds `limit` attempts.
      return row ? state(row.count, row.expires_at, now, options.limit - 1) : { limited: false, retryAfterSeconds: 0 };
    },
    async hit(key, now = new Date()) {
      const expiresAt = new Date(now.getTime() + options.windowMs);
      // One statement: concurrent hits from several processes serialize on the row and each sees its own count.
      const rows = await queryRows(
        db,
        "rateLimiter.hit",
        CounterRowSchema,
        Prisma.sql`
        INSERT INTO rate_limit_counters AS c (limiter, key, count, expires_at)
        VALUES (${limiter}, ${key.slice(0, MAX_KEY_LENGTH)}, 1, ${expiresAt})
        ON CONFLICT (limiter, key) DO UPDATE SET
          count = CASE WHEN c.expires_at <= ${now} THEN 1 ELSE c.count + 1 END,
          expires_at = CASE WHEN c.expires_at <= ${now} THEN EXCLUDED.expires_at ELSE c.expires_at END
        RETURNING count, expires_at`,
      );
      const row = rows[0];
      if (!row) throw new Error(`rate limiter ${limiter}: the counter upsert returned no row`);
      return state(row.count, row.expires_at, now, options.limit);
    },
    async reset(key) {
      await db.rateLimitCounter.deleteMany({ where: { limiter, key: key.slice(0, MAX_KEY_LENGTH) } });
    },
    async release(key, now = new Date()) {
      await db.$executeRaw(Prisma.sql`
        UPDATE rate_limit_counters SET count = GREATEST(count - 1, 0)
        WHERE limiter = ${limiter} AND key = ${key.slice(0, MAX_KEY_LENGTH)} AND expires_at > ${now}`);
    },
  };
}

/** Deletes counters whose window has ended, in bounded batches; returns how many were deleted. */
export async function deleteExpiredRateLimits(db: Db, now: Date = new Date(), batchSize = 5000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const count = await db.$executeRaw(Prisma.sql`
      DELETE FROM rate_limit_counters WHERE ctid IN (
        SELECT ctid FROM rate_limit_counters WHERE expires_at <= ${now} LIMIT ${batchSize})`);
    deleted += count;
    if (count < batchSize) return deleted;
  }
}

/** Sign-in: 10 failed attempts per account and 50 per client address in 15 minutes. */
export const SIGN_IN_LIMITS = {
  perAccount: { limit: 10, windowMs: 15 * 60_000 },
  perAddress: { limit: 50, windowMs: 15 * 60_000 },
} as const;
/** Bearer tokens: 20 refused tokens per client address per minute. */
export const TOKEN_LIMITS = { perAddress: { limit: 20, windowMs: 60_000 } } as const;
/** Share links: 20 refused tokens (unknown, expired, revoked) per client address per minute. */
export const SHARE_TOKEN_LIMITS = { perAddress: { limit: 20, windowMs: 60_000 } } as const;
/** Ingest webhooks: 20 refused ingest tokens (missing, malformed, unknown, revoked, another source's) per address per minute. */
export const INGEST_TOKEN_LIMITS = { perAddress: { limit: 20, windowMs: 60_000 } } as const;

export function getSignInLimiters(db: Db): { perAccount: RateLimiter; perAddress: RateLimiter } {
  return {
    perAccount: createRateLimiter(db, "sign-in-account", SIGN_IN_LIMITS.perAccount),
    perAddress: createRateLimiter(db, "sign-in-address", SIGN_IN_LIMITS.perAddress),
  };
}

export function getTokenLimiter(db: Db): RateLimiter {
  return createRateLimiter(db, "api-token-address", TOKEN_LIMITS.perAddress);
}

export function getShareTokenLimiter(db: Db): RateLimiter {
  return createRateLimiter(db, "share-token-address", SHARE_TOKEN_LIMITS.perAddress);
}

export function getIngestTokenLimiter(db: Db): RateLimiter {
  return createRateLimiter(db, "ingest-token-address", INGEST_TOKEN_LIMITS.perAddress);
}
