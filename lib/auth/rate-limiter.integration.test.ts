import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter, deleteExpiredRateLimits } from "@/lib/auth/rate-limiter.ts";
import { createDb, type Db } from "@/lib/db/client.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

describe("createRateLimiter (Postgres)", () => {
  const database = useTestDatabase();
  // A second client with its own pool stands in for a second web process.
  let otherProcessDb: Db;
  beforeAll(async () => {
    otherProcessDb = createDb(database.url);
  });
  afterAll(async () => {
    await otherProcessDb.$disconnect();
  });

  it("limits a key after `limit` attempts within the window and frees it afterwards", async () => {
    const limiter = createRateLimiter(database.db, "window", { limit: 3, windowMs: 1000 });
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    expect((await limiter.check("a", t(0))).limited).toBe(false);
    const hits = [await limiter.hit("a", t(0)), await limiter.hit("a", t(10)), await limiter.hit("a", t(20))];
    expect(hits.map((h) => h.limited)).toEqual([false, false, false]);
    expect(await limiter.check("a", t(30))).toEqual({ limited: true, retryAfterSeconds: 1 });
    expect((await limiter.hit("a", t(40))).limited).toBe(true);
    expect((await limiter.check("b", t(30))).limited).toBe(false);
    expect((await limiter.check("a", t(1000))).limited).toBe(false);
    expect((await limiter.hit("a", t(1000))).limited).toBe(false);
  });

  it("forgets a key on reset", async () => {
    const limiter = createRateLimiter(database.db, "reset", { limit: 1, windowMs: 60_000 });
    await limiter.hit("a");
    expect((await limiter.check("a")).limited).toBe(true);
    await limiter.reset("a");
    expect((await limiter.check("a")).limited).toBe(false);
  });

  it("gives back one attempt on release, never below zero", async () => {
    const limiter = createRateLimiter(database.db, "release", { limit: 2, windowMs: 60_000 });
    await limiter.hit("a");
    await limiter.hit("a");
    expect((await limiter.check("a")).limited).toBe(true);
    await limiter.release("a");
    expect((await limiter.check("a")).limited).toBe(false);
    await limiter.release("a");
    await limiter.release("a");
    expect((await limiter.hit("a")).limited).toBe(false);
    expect((await limiter.hit("a")).limited).toBe(false);
    expect((await limiter.hit("a")).limited).toBe(true);
  });

  it("shares one limit between two processes' limiters, also under concurrent hits", async () => {
    const first = createRateLimiter(database.db, "shared", { limit: 10, windowMs: 60_000 });
    const second = createRateLimiter(otherProcessDb, "shared", { limit: 10, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).hit("203.0.113.7")));
    expect(results.filter((r) => !r.limited)).toHaveLength(10);
    expect((await first.check("203.0.113.7")).limited).toBe(true);
    expect((await second.check("203.0.113.7")).limited).toBe(true);
  });

  it("deletes only expired counters", async () => {
    const limiter = createRateLimiter(database.db, "cleanup", { limit: 5, windowMs: 60_000 });
    const now = new Date();
    await limiter.hit("old", new Date(now.getTime() - 120_000));
    await limiter.hit("fresh", now);
    expect(await deleteExpiredRateLimits(database.db, now, 1)).toBeGreaterThanOrEqual(1);
    const keys = await database.db.rateLimitCounter.findMany({ where: { limiter: "cleanup" }, select: { key: true } });
    expect(keys.map((k) => k.key)).toEqual(["fresh"]);
  });
});
