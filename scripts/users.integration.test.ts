import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCredentials } from "@/lib/auth/users.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function runUsers(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/users.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "warn" },
    input,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run users", () => {
  it("creates a user with a password from stdin, lists it, and resets the password to a generated one", async () => {
    const created = runUsers(["create", "--email", "Ops@Example.test", "--role", "support", "--password-stdin"], "a password from stdin\n");
    expect(created).toMatchObject({ status: 0, stdout: "Created ops@example.test (support).\n" });
    expect((await checkCredentials(database.db, "ops@example.test", "a password from stdin")).ok).toBe(true);

    const listed = runUsers(["list"]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ops@example\.test\s+support\s+active\s+password/m);

    const reset = runUsers(["reset-password", "--email", "ops@example.test"]);
    expect(reset.status).toBe(0);
    const generated = /New password: (\S+)/.exec(reset.stdout)?.[1];
    if (!generated) throw new Error(`no password printed: ${reset.stdout}`);
    expect((await checkCredentials(database.db, "ops@example.test", generated)).ok).toBe(true);
    expect((await checkCredentials(database.db, "ops@example.test", "a password from stdin")).ok).toBe(false);
  });

  it("explains bad input instead of failing with a stack trace", () => {
    const invalid = runUsers(["create", "--email", "not-an-email"]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain("users: email: must be an email address");
    expect(runUsers(["reset-password", "--email", "nobody@example.test"]).stderr).toContain("No user with the email nobody@example.test");
    expect(runUsers(["create", "--email", "ops@example.test", "--role", "root"]).stderr).toContain("must be one of viewer, support, admin");
    const help = runUsers(["frobnicate"]);
    expect(help.status).toBe(1);
    expect(help.stdout).toContain("Usage: npm run users");
  });
});
