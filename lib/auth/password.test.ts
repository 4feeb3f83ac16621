import { describe, expect, it } from "vitest";
import { defaultPasswordCost, hashPassword, TEST_PASSWORD_COST_ENV, verifyPassword } from "@/lib/auth/password.ts";

// Low cost keeps the suite fast; the parameters are read back from the stored hash either way.
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery", FAST);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
  });

  it("salts every hash, so equal passwords give different hashes", async () => {
    const [a, b] = await Promise.all([hashPassword("same password!!", FAST), hashPassword("same password!!", FAST)]);
    expect(a).not.toBe(b);
    expect(a).not.toContain("same password");
  });

  it("uses scrypt with the OWASP minimum cost by default", async () => {
    const stored = await hashPassword("a default-cost one");
    expect(stored.split("$").slice(0, 4)).toEqual(["scrypt", "32768", "8", "1"]);
    expect(await verifyPassword("a default-cost one", stored)).toBe(true);
    // Two full-cost hashes: 5.2 s at load 22 on 2 cores went over Vitest's default 5 s.
  }, 120_000);

  it("lowers the default cost for tests only when NODE_ENV is test, and only to a sane power of two", () => {
    const production = { N: 2 ** 15, r: 8, p: 1 };
    expect(defaultPasswordCost({ NODE_ENV: "production", [TEST_PASSWORD_COST_ENV]: "1024" })).toEqual(production);
    expect(defaultPasswordCost({ [TEST_PASSWORD_COST_ENV]: "1024" })).toEqual(production);
    expect(defaultPasswordCost({ NODE_ENV: "test" })).toEqual(production);
    expect(defaultPasswordCost({ NODE_ENV: "test", [TEST_PASSWORD_COST_ENV]: "1024" })).toEqual({ ...production, N: 1024 });
    for (const unsafe of ["1000", "512", "65536", "2e4", "x"]) {
      expect(defaultPasswordCost({ NODE_ENV: "test", [TEST_PASSWORD_COST_ENV]: unsafe })).toEqual(production);
    }
  });

  it("never matches a malformed or tampered hash", async () => {
    const stored = await hashPassword("tamper with me", FAST);
    const parts = stored.split("$");
    expect(await verifyPassword("tamper with me", "")).toBe(false);
    expect(await verifyPassword("tamper with me", "plain-text")).toBe(false);
    expect(await verifyPassword("tamper with me", [...parts.slice(0, 5), Buffer.alloc(32).toString("base64")].join("$"))).toBe(false);
    expect(await verifyPassword("tamper with me", ["bcrypt", ...parts.slice(1)].join("$"))).toBe(false);
    // An absurd cost in a stored hash must not become a denial of service.
    expect(await verifyPassword("tamper with me", ["scrypt", String(2 ** 30), ...parts.slice(2)].join("$"))).toBe(false);
  });
});
