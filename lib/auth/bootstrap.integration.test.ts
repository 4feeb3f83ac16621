import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootstrapFirstAdmin, DEFAULT_ADMIN_EMAIL, loadOrCreateAuthSecret } from "@/lib/auth/bootstrap.ts";
import { checkCredentials } from "@/lib/auth/users.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

const database = useTestDatabase();

describe("bootstrapFirstAdmin", () => {
  it("creates an admin with a generated password on first run only", async () => {
    const first = await bootstrapFirstAdmin(database.db, {});
    if (!first.created || !first.generatedPassword) throw new Error("expected a generated admin");
    expect(first.email).toBe(DEFAULT_ADMIN_EMAIL);
    expect(first.generatedPassword.length).toBeGreaterThanOrEqual(20);
    const signIn = await checkCredentials(database.db, DEFAULT_ADMIN_EMAIL, first.generatedPassword);
    expect(signIn.ok && signIn.user.role).toBe("admin");

    expect(await bootstrapFirstAdmin(database.db, { email: "other@example.test", password: "a configured password" })).toEqual({
      created: false,
    });
    expect(await database.db.user.count()).toBe(1);
  });
});

describe("loadOrCreateAuthSecret", () => {
  it("creates a private secret once and returns the same one afterwards", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "linkscope-secret-"));
    try {
      const secret = await loadOrCreateAuthSecret(dir);
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(await loadOrCreateAuthSecret(dir)).toBe(secret);
      expect((await readFile(path.join(dir, "nextauth-secret"), "utf8")).trim()).toBe(secret);
      expect((await stat(path.join(dir, "nextauth-secret"))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
