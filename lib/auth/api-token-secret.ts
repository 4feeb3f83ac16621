import { generateSecretPart, hashSecretToken, SECRET_PART_PATTERN } from "@/lib/security/secret-token.ts";

const TOKEN_PREFIX = "lsk_";
export const API_TOKEN_PATTERN = new RegExp(`^lsk_${SECRET_PART_PATTERN}$`);

export const hashApiToken = hashSecretToken;

export function generateApiTokenSecret(): { token: string; tokenHash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${generateSecretPart()}`;
  return { token, tokenHash: hashApiToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}
