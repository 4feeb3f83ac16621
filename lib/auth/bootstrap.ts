import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db/client.ts";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { generatePassword } from "@/lib/auth/password.ts";
import { ensureFirstAdmin } from "@/lib/auth/users.ts";

export const DEFAULT_ADMIN_EMAIL = "admin@linkscope.local";
const SECRET_FILE = "nextauth-secret";

/**
 * The session signing secret for `npm start` without NEXTAUTH_SECRET: generated once and kept (mode 0600) in the
 * data directory so sessions survive restarts. Never printed.
 */
export async function loadOrCreateAuthSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, SECRET_FILE);
  try {
    const existing = (await readFile(file, "utf8")).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

export type FirstAdmin = { created: false } | { created: true; email: string; generatedPassword: string | null };

/**
 * First run (no users at all): creates the admin from LINKSCOPE_ADMIN_EMAIL / LINKSCOPE_ADMIN_PASSWORD, or, with no
 * password configured, with a random one that the caller prints once. Later runs change nothing.
 */
export async function bootstrapFirstAdmin(db: Db, env: { email?: string | undefined; password?: string | undefined }): Promise<FirstAdmin> {
  const email = env.email ?? DEFAULT_ADMIN_EMAIL;
  const generatedPassword = env.password ? null : generatePassword();
  const created = await ensureFirstAdmin(db, email, env.password ?? generatedPassword ?? "", CLI_ACTOR);
  return created ? { created: true, email: email.trim().toLowerCase(), generatedPassword } : { created: false };
}
