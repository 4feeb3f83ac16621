import { describe, expect, it } from "vitest";
import { createRateLimiter } from "@/lib/auth/rate-limiter.ts";

describe("createRateLimiter", () => {
  it("limits a key after `limit` attempts within the window and frees it afterwards", () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 1000 });
    expect(limiter.isLimited("a", 0)).toBe(false);
    expect([limiter.hit("a", 0), limiter.hit("a", 10), limiter.hit("a", 20)]).toEqual([false, false, false]);
    expect(limiter.isLimited("a", 30)).toBe(true);
    expect(limiter.hit("a", 40)).toBe(true);
    expect(limiter.retryAfterSeconds("a", 500)).toBe(1);
    expect(limiter.isLimited("b", 30)).toBe(false);
    expect(limiter.isLimited("a", 1000)).toBe(false);
  });

  it("forgets a key on reset", () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000 });
    limiter.hit("a", 0);
    expect(limiter.isLimited("a", 1)).toBe(true);
    limiter.reset("a");
    expect(limiter.isLimited("a", 2)).toBe(false);
  });

  it("keeps memory bounded under many distinct keys", () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.hit(`key-${i}`, 0);
    // The newest keys are remembered, the oldest were dropped.
    expect(limiter.isLimited("key-999", 1)).toBe(true);
    expect(limiter.isLimited("key-0", 1)).toBe(false);
  });
});
