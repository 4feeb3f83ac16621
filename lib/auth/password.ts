import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * scrypt with a per-user salt. N = 2^15 (32 MiB, ~50–100 ms on a small server core) follows OWASP's minimum for
 * scrypt; the parameters are stored with each hash so they can be raised later without breaking old hashes.
 */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 } as const;
type ScryptCost = { N: number; r: number; p: number };

/**
 * Test suites may lower N (a power of two from 2^10, below the default) so that creating and signing in users
 * costs milliseconds: honoured only when NODE_ENV is "test", which Vitest sets and a production server never has
 * (decision 040). Hashes keep their own parameters, so verifying is unaffected by the setting.
 */
export const TEST_PASSWORD_COST_ENV = "LINKSCOPE_TEST_PASSWORD_COST";

export function defaultPasswordCost(env: Record<string, string | undefined> = process.env): ScryptCost {
  if (env.NODE_ENV !== "test") return DEFAULT_COST;
  const N = Number(env[TEST_PASSWORD_COST_ENV]);
  const powerOfTwo = Number.isInteger(N) && N > 0 && (N & (N - 1)) === 0;
  return powerOfTwo && N >= 2 ** 10 && N < DEFAULT_COST.N ? { ...DEFAULT_COST, N } : DEFAULT_COST;
}
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

function deriveKey(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Returns `scrypt$N$r$p$<salt b64>$<key b64>`. */
export async function hashPassword(password: string, cost: ScryptCost = defaultPasswordCost()): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p || N > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const expected = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length === 0 || expected.length !== KEY_LENGTH) return false;
  const actual = await deriveKey(password, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** A password that satisfies the length rule, for generated first-run and reset credentials. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
