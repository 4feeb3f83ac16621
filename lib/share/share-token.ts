import { z } from "zod";
import { generateSecretPart, hashSecretToken, SECRET_PART_PATTERN } from "@/lib/security/secret-token.ts";
import { HOUR_MS } from "@/lib/time/durations.ts";

const TOKEN_PREFIX = "lss_";
export const SHARE_TOKEN_PATTERN = new RegExp(`^lss_${SECRET_PART_PATTERN}$`);
export const ShareTokenSchema = z.string().regex(SHARE_TOKEN_PATTERN, "is not a share-link token");

export const DEFAULT_SHARE_EXPIRY_HOURS = 7 * 24;
export const MIN_SHARE_EXPIRY_HOURS = 1;
export const MAX_SHARE_EXPIRY_HOURS = 30 * 24;
export const MAX_SHARE_WINDOW_MS = 92 * 24 * HOUR_MS;

export function generateShareToken(): { token: string; tokenHash: string } {
  const token = `${TOKEN_PREFIX}${generateSecretPart()}`;
  return { token, tokenHash: hashShareToken(token) };
}

export const hashShareToken = hashSecretToken;

export const ShareExpiryHoursSchema = z
  .number({ error: "must be a number of hours" })
  .int("must be a whole number of hours")
  .min(MIN_SHARE_EXPIRY_HOURS, `must be at least ${MIN_SHARE_EXPIRY_HOURS} hour`)
  .max(MAX_SHARE_EXPIRY_HOURS, `must be at most ${MAX_SHARE_EXPIRY_HOURS} hours (30 days)`)
  .default(DEFAULT_SHARE_EXPIRY_HOURS)
  .describe("hours until the link stops working (it can be revoked before)");

export function computeShareExpiry(now: Date, expiresInHours: number): Date {
  return new Date(now.getTime() + expiresInHours * HOUR_MS);
}

export type ShareLinkStatus = "active" | "expired" | "revoked";

/** Revocation wins over expiry, so the page tells the truth about a link someone turned off. */
export function getShareLinkStatus(link: { expiresAt: Date; revokedAt: Date | null }, now: Date): ShareLinkStatus {
  if (link.revokedAt !== null && link.revokedAt.getTime() <= now.getTime()) return "revoked";
  if (link.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}
