import { createHash, randomBytes } from "node:crypto";

const TOKEN_PREFIX = "lsk_";
export const API_TOKEN_PATTERN = /^lsk_[A-Za-z0-9_-]{43}$/;

/**
 * Tokens carry 256 random bits, so a fast hash is enough to store them: unlike passwords they cannot be guessed
 * from a dictionary, and a lookup by hash keeps verification O(1).
 */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateApiTokenSecret(): { token: string; tokenHash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, tokenHash: hashApiToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}
