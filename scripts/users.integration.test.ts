import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCredentials } from "@/lib/auth/users.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { runUsersCli } from "./users.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const database = useTestDatabase();

/** The command in this process (its output captured), for tests about what it does rather than about the process. */
async function runUsers(args: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const status = await runUsersCli(args, {
    print: (line) => (stdout += `${line}\n`),
    printError: (line) => (stderr += `${line}\n`),
    readStdinPassword: async () => stdin.replace(/\r?\n$/, ""),
    openDatabase: async () => ({ db: database.db, close: async () => {} }),
  });
  return { status, stdout, stderr };
}

describe("npm run users", () => {
  it("creates a user with a password from stdin, lists it, and resets the password to a generated one", async () => {
    const created = await runUsers(
      ["create", "--email", "Ops@Example.test", "--role", "support", "--password-stdin"],
      "a password from stdin\n",
    );
    expect(created).toMatchObject({ status: 0, stdout: "Created ops@example.test (support).\n" });
    expect((await checkCredentials(database.db, "ops@example.test", "a password from stdin")).ok).toBe(true);

    const listed = await runUsers(["list"]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ops@example\.test\s+support\s+active\s+password/m);

    const reset = await runUsers(["reset-password", "--email", "ops@example.test"]);
    expect(reset.status).toBe(0);
    const generated = /New password: (\S+)/.exec(reset.stdout)?.[1];
    if (!generated) throw new Error(`no password printed: ${reset.stdout}`);
    expect((await checkCredentials(database.db, "ops@example.test", generated)).ok).toBe(true);
    expect((await checkCredentials(database.db, "ops@example.test", "a password from stdin")).ok).toBe(false);
  });

  it("explains bad input instead of failing with a stack trace", async () => {
    const invalid = await runUsers(["create", "--email", "not-an-email"]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain("users: email: must be an email address");
    expect((await runUsers(["reset-password", "--email", "nobody@example.test"])).stderr).toContain(
      "No user with the email nobody@example.test",
    );
    expect((await runUsers(["create", "--email", "ops@example.test", "--role", "root"])).stderr).toContain(
      "must be one of viewer, support, admin",
    );
    const help = await runUsers(["frobnicate"]);
    expect(help.status).toBe(1);
    expect(help.stdout).toContain("Usage: npm run users");
  });

  // Starting tsx costs tens of seconds on a loaded 2-core machine, hence one process run and its own timeout.
  it("runs as its own process: reads the password from stdin, uses DATABASE_URL and exits 0", { timeout: 240_000 }, async () => {
    const created = await runUsersProcess(
      ["create", "--email", "process@example.test", "--role", "viewer", "--password-stdin"],
      "typed at the terminal\n",
    );
    expect(created).toEqual({ status: 0, stdout: "Created process@example.test (viewer).\n", stderr: "" });
    expect((await checkCredentials(database.db, "process@example.test", "typed at the terminal")).ok).toBe(true);
  });
});

function runUsersProcess(args: string[], input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/users.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
