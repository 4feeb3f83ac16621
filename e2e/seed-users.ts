import { randomBytes } from "node:crypto";
import { hashPassword } from "@/lib/auth/password.ts";
import type { Role } from "@/lib/auth/roles.ts";
import { openE2eDatabase } from "./live-ingest.ts";

/**
 * scrypt's cost for the accounts the suite makes for itself. A stored hash keeps its own parameters, so the production
 * server verifies these at N = 2^10 in about a millisecond instead of at its default N = 2^15 (32 MiB, 0.1–1 s on
 * this machine per sign-in, lib/auth/password.ts). No e2e test is about the cost; the integration tests use the same
 * N (vitest.config.ts), and accounts created through the API or the admin page are still hashed at the default.
 */
export const E2E_PASSWORD_COST = { N: 2 ** 10, r: 8, p: 1 } as const;

export const hashE2ePassword = (password: string) => hashPassword(password, E2E_PASSWORD_COST);

/**
 * Accounts with a password, written to the database directly (no audit record: nobody created them through the
 * product), for tests about signing in and out rather than about creating users. Emails must be unique per test.
 */
export async function seedPasswordUsers(emails: string[], role: Role = "viewer"): Promise<{ password: string }> {
  const password = randomBytes(18).toString("base64url");
  const passwordHash = await hashE2ePassword(password);
  const db = openE2eDatabase();
  try {
    await db.user.createMany({ data: emails.map((email) => ({ email: email.toLowerCase(), role, passwordHash, name: "E2E seeded" })) });
  } finally {
    await db.$disconnect();
  }
  return { password };
}
