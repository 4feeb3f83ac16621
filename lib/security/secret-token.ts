import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes in base64url: the secret part of every token Linkscope issues (API, share link, ingest). */
export const SECRET_PART_PATTERN = "[A-Za-z0-9_-]{43}";

export function generateSecretPart(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Tokens carry 256 random bits, so a fast unsalted hash is enough to store them: unlike passwords they cannot be
 * guessed from a dictionary, and a lookup by hash keeps verification O(1) without comparing secrets.
 */
export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
