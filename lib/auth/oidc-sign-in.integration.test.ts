import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { signInWithOidc } from "@/lib/auth/oidc-sign-in.ts";
import { createUser, updateUser } from "@/lib/auth/users.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

const database = useTestDatabase();
const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@example.test`;

async function auditFor(email: string) {
  return database.db.auditEvent.findMany({ where: { actorLabel: email }, select: { action: true, details: true }, orderBy: { id: "asc" } });
}

describe("signInWithOidc", () => {
  it("admits a user an admin added, by email in any case, recording the sign-in and its time", async () => {
    const email = uniqueEmail("sso");
    const created = await createUser(database.db, { email, role: "support" }, CLI_ACTOR);
    const result = await signInWithOidc(database.db, { email: email.toUpperCase(), emailVerified: true });
    expect(result).toEqual({ ok: true, user: { id: created.id, email, name: null, role: "support", sessionVersion: 0 } });
    expect((await database.db.user.findUniqueOrThrow({ where: { id: created.id } })).lastSignInAt).not.toBeNull();
    expect(await auditFor(email)).toEqual([{ action: "auth.sign_in", details: { method: "oidc" } }]);
  });

  it("trusts an email when the provider does not say whether it verified it", async () => {
    const email = uniqueEmail("silent");
    await createUser(database.db, { email, role: "viewer" }, CLI_ACTOR);
    expect(await signInWithOidc(database.db, { email, emailVerified: null })).toMatchObject({ ok: true });
  });

  it("refuses unknown, missing, disabled and unverified emails, each with an audit record naming the reason", async () => {
    const unknown = uniqueEmail("unknown");
    expect(await signInWithOidc(database.db, { email: unknown, emailVerified: true })).toEqual({ ok: false, reason: "unknown_email" });
    expect(await auditFor(unknown)).toEqual([
      { action: "auth.sign_in_failed", details: { method: "oidc", email: unknown, reason: "unknown_email" } },
    ]);

    expect(await signInWithOidc(database.db, { email: null, emailVerified: null })).toEqual({ ok: false, reason: "unknown_email" });

    const disabled = uniqueEmail("disabled");
    const user = await createUser(database.db, { email: disabled, role: "admin" }, CLI_ACTOR);
    await createUser(database.db, { email: uniqueEmail("other-admin"), role: "admin" }, CLI_ACTOR);
    await updateUser(database.db, user.id, { disabled: true }, CLI_ACTOR);
    expect(await signInWithOidc(database.db, { email: disabled, emailVerified: true })).toEqual({ ok: false, reason: "disabled" });
    expect(await auditFor(disabled)).toEqual([
      { action: "auth.sign_in_failed", details: { method: "oidc", email: disabled, reason: "disabled" } },
    ]);

    const unverified = uniqueEmail("unverified");
    await createUser(database.db, { email: unverified, role: "admin" }, CLI_ACTOR);
    expect(await signInWithOidc(database.db, { email: unverified, emailVerified: false })).toEqual({
      ok: false,
      reason: "email_not_verified",
    });
    expect((await database.db.user.findUniqueOrThrow({ where: { email: unverified } })).lastSignInAt).toBeNull();
  });
});
