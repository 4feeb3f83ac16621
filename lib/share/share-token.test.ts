import { describe, expect, it } from "vitest";
import {
  computeShareExpiry,
  DEFAULT_SHARE_EXPIRY_HOURS,
  generateShareToken,
  getShareLinkStatus,
  hashShareToken,
  SHARE_TOKEN_PATTERN,
  ShareExpiryHoursSchema,
  ShareTokenSchema,
} from "./share-token.ts";

describe("share tokens", () => {
  it("carry at least 128 random bits, and only a sha256 of them is kept", () => {
    const { token, tokenHash } = generateShareToken();
    expect(token).toMatch(SHARE_TOKEN_PATTERN);
    expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).toBe(hashShareToken(token));
    expect(tokenHash).not.toContain(token.slice(4));
    expect(generateShareToken().token).not.toBe(token);
  });

  it("refuses anything that is not a token before it reaches the database", () => {
    expect(ShareTokenSchema.safeParse(generateShareToken().token).success).toBe(true);
    for (const bad of ["", "lss_short", `lsk_${"a".repeat(43)}`, `lss_${"a".repeat(42)}!`, `lss_${"a".repeat(44)}`]) {
      expect(ShareTokenSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("share-link expiry", () => {
  const now = new Date("2026-11-22T12:00:00Z");

  it("defaults to 7 days and is bounded to 1 hour .. 30 days", () => {
    expect(ShareExpiryHoursSchema.parse(undefined)).toBe(DEFAULT_SHARE_EXPIRY_HOURS);
    expect(computeShareExpiry(now, DEFAULT_SHARE_EXPIRY_HOURS)).toEqual(new Date("2026-11-29T12:00:00Z"));
    expect(ShareExpiryHoursSchema.safeParse(0).success).toBe(false);
    expect(ShareExpiryHoursSchema.safeParse(30 * 24 + 1).success).toBe(false);
    expect(ShareExpiryHoursSchema.safeParse(1.5).success).toBe(false);
  });

  it("is active until it expires, and revoked wins over expired", () => {
    const link = { expiresAt: new Date("2026-11-23T00:00:00Z"), revokedAt: null };
    expect(getShareLinkStatus(link, now)).toBe("active");
    expect(getShareLinkStatus(link, new Date("2026-11-23T00:00:00Z"))).toBe("expired");
    expect(getShareLinkStatus({ ...link, revokedAt: now }, now)).toBe("revoked");
    expect(getShareLinkStatus({ expiresAt: now, revokedAt: now }, new Date("2026-11-24T00:00:00Z"))).toBe("revoked");
  });
});
