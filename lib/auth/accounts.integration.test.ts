import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CLI_ACTOR, type Actor } from "@/lib/auth/actor.ts";
import { TEST_PASSWORD_COST_ENV } from "@/lib/auth/password.ts";
import { createApiToken, listApiTokens, revokeApiToken, verifyApiToken } from "@/lib/auth/api-tokens.ts";
import { SIGN_IN_LIMITS, TOKEN_LIMITS } from "@/lib/auth/rate-limiter.ts";
import { signInWithPassword } from "@/lib/auth/sign-in.ts";
import { createUser, endSession, findSessionUser, listUsers, resetUserPassword, updateUser } from "@/lib/auth/users.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/security/client-address.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";

const SECRET = randomBytes(32).toString("base64url");
const database = useTestDatabase();
const secrets: string[] = [];

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@example.test`;
const password = () => {
  const value = `pw-${randomBytes(12).toString("base64url")}`;
  secrets.push(value);
  return value;
};
const uniqueIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

beforeAll(async () => {
  // handleRoute reads the process-wide client and the auth configuration from the environment.
  process.env.DATABASE_URL = database.url;
  process.env.NEXTAUTH_SECRET = SECRET;
  process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
});

afterAll(async () => {
  const globalDb = globalThis as unknown as { linkscopeDb?: { $disconnect(): Promise<void> } };
  await globalDb.linkscopeDb?.$disconnect();
});

async function createAdmin(): Promise<Actor> {
  const admin = await createUser(database.db, { email: uniqueEmail("admin"), role: "admin", password: password() }, CLI_ACTOR);
  return { type: "user", id: admin.id, label: admin.email, role: "admin" };
}

describe("users", () => {
  it("creates users with hashed passwords and refuses a second account for the same email", async () => {
    const email = uniqueEmail("Mixed.Case");
    const secret = password();
    // The suite lowers the hashing cost (vitest.config.ts); this account is hashed as production would hash it.
    vi.stubEnv(TEST_PASSWORD_COST_ENV, undefined);
    const user = await createUser(database.db, { email: email.toUpperCase(), password: secret, role: "support" }, CLI_ACTOR).finally(() =>
      vi.unstubAllEnvs(),
    );
    expect(user.email).toBe(email.toLowerCase());
    expect(user).not.toHaveProperty("passwordHash");
    expect(user.hasPassword).toBe(true);
    const stored = await database.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.passwordHash).not.toContain(secret);
    await expect(createUser(database.db, { email, password: password() }, CLI_ACTOR)).rejects.toMatchObject({
      kind: "conflict",
      code: "user_exists",
    });
    expect(JSON.stringify(await listUsers(database.db))).not.toContain("scrypt$");
  });

  it("signs in with the right password only, and audits both outcomes", async () => {
    const email = uniqueEmail("signin");
    const secret = password();
    const user = await createUser(database.db, { email, password: secret }, CLI_ACTOR);
    const ip = uniqueIp();
    expect(await signInWithPassword(database.db, email, "wrong password!", ip)).toEqual({ ok: false });
    expect(await signInWithPassword(database.db, "nobody@example.test", secret, ip)).toEqual({ ok: false });
    const result = await signInWithPassword(database.db, email, secret, ip);
    expect(result.ok && result.user.id).toBe(user.id);
    const audit = await database.db.auditEvent.findMany({ where: { ip }, orderBy: { id: "asc" } });
    expect(audit.map((event) => event.action)).toEqual(["auth.sign_in_failed", "auth.sign_in_failed", "auth.sign_in"]);
  });

  it("rate-limits password guessing per account: after the limit even the right password is refused", async () => {
    const email = uniqueEmail("brute");
    const secret = password();
    await createUser(database.db, { email, password: secret }, CLI_ACTOR);
    for (let attempt = 0; attempt < SIGN_IN_LIMITS.perAccount.limit; attempt++) {
      // A different address each time: the per-account limit must hold even for a distributed attack.
      expect(await signInWithPassword(database.db, email, `guess ${attempt} of many`, uniqueIp())).toEqual({ ok: false });
    }
    const limited = await signInWithPassword(database.db, email, secret, uniqueIp());
    expect(limited).toMatchObject({ ok: false, rateLimited: true });
    expect(
      await database.db.auditEvent.count({ where: { action: "auth.sign_in_rate_limited", details: { path: ["email"], equals: email } } }),
    ).toBe(1);
  });

  it("counts an attempt before checking it: a burst of concurrent guesses gets no more checks than the limit", async () => {
    const email = uniqueEmail("burst");
    const secret = password();
    // At production cost a check takes ~90 ms: the window in which concurrent guesses all passed a check-then-count limit.
    vi.stubEnv(TEST_PASSWORD_COST_ENV, undefined);
    await createUser(database.db, { email, password: secret }, CLI_ACTOR).finally(() => vi.unstubAllEnvs());
    const burst = await Promise.all(
      Array.from({ length: 3 * SIGN_IN_LIMITS.perAccount.limit }, (_, i) =>
        signInWithPassword(database.db, email, `burst guess ${i}`, uniqueIp()),
      ),
    );
    expect(burst.filter((result) => !("rateLimited" in result))).toHaveLength(SIGN_IN_LIMITS.perAccount.limit);
    expect(await signInWithPassword(database.db, email, secret, uniqueIp())).toMatchObject({ ok: false, rateLimited: true });
  });

  it("does not count a successful sign-in against its address", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress.limit + 2; i++) {
      const email = uniqueEmail(`office-${i}`);
      const secret = password();
      await createUser(database.db, { email, password: secret }, CLI_ACTOR);
      expect((await signInWithPassword(database.db, email, secret, ip)).ok).toBe(true);
    }
  });

  const claimsOf = (userId: string, sessionVersion: number, sessionId = randomUUID()) => ({ userId, sessionVersion, sessionId });

  it("ends one session on sign-out: its copied claims stop working, the user's other sessions continue", async () => {
    const user = await createUser(database.db, { email: uniqueEmail("sign-out"), password: password() }, CLI_ACTOR);
    const signedOut = claimsOf(user.id, 0);
    const other = claimsOf(user.id, 0);
    expect(await findSessionUser(database.db, signedOut)).toMatchObject({ id: user.id });
    await endSession(database.db, { sessionId: signedOut.sessionId, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    await endSession(database.db, { sessionId: signedOut.sessionId, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await findSessionUser(database.db, signedOut)).toBeNull();
    expect(await findSessionUser(database.db, other)).toMatchObject({ id: user.id });
  });

  it("forgets ended sessions once their JWT has expired anyway", async () => {
    const user = await createUser(database.db, { email: uniqueEmail("ended-expiry"), password: password() }, CLI_ACTOR);
    const old = claimsOf(user.id, 0);
    await endSession(database.db, { sessionId: old.sessionId, userId: user.id, expiresAt: new Date(Date.now() - 1000) });
    await endSession(database.db, { sessionId: randomUUID(), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await database.db.endedSession.count({ where: { sessionId: old.sessionId } })).toBe(0);
  });

  it("ends sessions on role change, disable and password reset, and keeps one active admin", async () => {
    const admin = await createAdmin();
    const secret = password();
    const user = await createUser(database.db, { email: uniqueEmail("sessions"), password: secret }, CLI_ACTOR);
    expect(await findSessionUser(database.db, claimsOf(user.id, 0))).toMatchObject({ role: "viewer" });

    await updateUser(database.db, user.id, { role: "support" }, admin);
    expect(await findSessionUser(database.db, claimsOf(user.id, 0))).toBeNull();
    expect(await findSessionUser(database.db, claimsOf(user.id, 1))).toMatchObject({ role: "support" });

    await updateUser(database.db, user.id, { disabled: true }, admin);
    expect(await findSessionUser(database.db, claimsOf(user.id, 2))).toBeNull();
    await updateUser(database.db, user.id, { disabled: false }, admin);

    const fresh = password();
    await resetUserPassword(database.db, user.id, fresh, admin);
    expect(await findSessionUser(database.db, claimsOf(user.id, 3))).toBeNull();
    expect(await signInWithPassword(database.db, user.email, secret, uniqueIp())).toEqual({ ok: false });
    expect((await signInWithPassword(database.db, user.email, fresh, uniqueIp())).ok).toBe(true);

    const actions = await database.db.auditEvent.findMany({
      where: { targetId: user.id },
      orderBy: { id: "asc" },
      select: { action: true, actorLabel: true },
    });
    expect(actions.map((event) => event.action)).toEqual([
      "user.created",
      "user.role_changed",
      "user.disabled",
      "user.enabled",
      "user.password_reset",
      "auth.sign_in",
    ]);
    expect(actions[1]?.actorLabel).toBe(admin.label);

    // Other admins exist from other tests, so disable them all but one to check the last-admin rule.
    const lastAdmin = await createUser(database.db, { email: uniqueEmail("last"), role: "admin", password: password() }, CLI_ACTOR);
    await database.db.user.updateMany({ where: { role: "admin", id: { not: lastAdmin.id } }, data: { disabled: true } });
    await expect(updateUser(database.db, lastAdmin.id, { role: "viewer" }, CLI_ACTOR)).rejects.toMatchObject({
      kind: "conflict",
      code: "last_admin",
    });
    await expect(updateUser(database.db, lastAdmin.id, { disabled: true }, CLI_ACTOR)).rejects.toMatchObject({ kind: "conflict" });
    await database.db.user.updateMany({ where: { role: "admin" }, data: { disabled: false } });
  });
});

describe("API tokens", () => {
  it("stores only a hash, shows the token once, and refuses wrong, expired and revoked tokens", async () => {
    const admin = await createAdmin();
    const now = new Date();
    const { token, apiToken } = await createApiToken(
      database.db,
      { name: "ci export", role: "support", expiresInDays: 1 },
      admin,
      null,
      now,
    );
    secrets.push(token);
    expect(token).toMatch(/^lsk_/);
    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    expect(JSON.stringify(await listApiTokens(database.db))).not.toContain(token.slice(10));

    expect(await verifyApiToken(database.db, token, "10.0.0.1", now)).toEqual({
      ok: true,
      token: { id: apiToken.id, name: "ci export", role: "support" },
    });
    expect(await verifyApiToken(database.db, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`, null, now)).toEqual({
      ok: false,
      reason: "unknown",
    });
    expect(await verifyApiToken(database.db, "lsk_short", null, now)).toEqual({ ok: false, reason: "malformed" });
    const later = new Date(now.getTime() + 2 * 86_400_000);
    expect(await verifyApiToken(database.db, token, null, later)).toMatchObject({ ok: false, reason: "expired" });

    await revokeApiToken(database.db, apiToken.id, admin, null, now);
    expect(await verifyApiToken(database.db, token, null, now)).toMatchObject({ ok: false, reason: "revoked" });

    const audit = await database.db.auditEvent.findMany({ where: { targetId: apiToken.id }, orderBy: { id: "asc" } });
    expect(audit.map((event) => event.action)).toEqual(["token.created", "token.used", "token.revoked"]);
  });
});

describe("API tokens of a demoted or disabled creator", () => {
  it("act with at most the creator's current role, and stop when the creator is disabled", async () => {
    const creator = await createAdmin();
    const { token } = await createApiToken(database.db, { name: "kept for later", role: "admin" }, creator);
    secrets.push(token);
    const { token: cliToken } = await createApiToken(database.db, { name: "from the CLI", role: "admin" }, CLI_ACTOR);
    secrets.push(cliToken);
    const first = await verifyApiToken(database.db, token, null);
    expect(first).toMatchObject({ ok: true, token: { role: "admin" } });
    if (!first.ok) throw new Error("unreachable");
    const tokenActor: Actor = { type: "token", id: first.token.id, label: "token kept for later", role: "admin" };
    const { token: madeByToken } = await createApiToken(database.db, { name: "made by the token", role: "admin" }, tokenActor);
    secrets.push(madeByToken);

    await updateUser(database.db, creator.id!, { role: "viewer" }, CLI_ACTOR);
    expect(await verifyApiToken(database.db, token, null)).toMatchObject({ ok: true, token: { role: "viewer" } });
    await updateUser(database.db, creator.id!, { disabled: true }, CLI_ACTOR);
    expect(await verifyApiToken(database.db, token, null)).toMatchObject({ ok: false, reason: "creator_disabled" });
    expect(await verifyApiToken(database.db, madeByToken, null)).toMatchObject({ ok: false, reason: "creator_disabled" });
    // The token list shows why: the creator's role and status.
    const listed = (await listApiTokens(database.db)).find((row) => row.name === "kept for later");
    expect(listed?.createdBy).toMatchObject({ role: "viewer", disabled: true });
    expect(await verifyApiToken(database.db, cliToken, null)).toMatchObject({ ok: true, token: { role: "admin" } });
  });
});

describe("handleRoute", () => {
  const viewerRoute = handleRoute(async (_request, _context, { actor }) => createJsonResponse({ who: actor.label }));
  const adminRoute = handleRoute({ role: "admin" }, async () => createJsonResponse({ ok: true }));
  const call = (route: typeof viewerRoute, headers: Record<string, string> = {}) =>
    route(new Request("http://127.0.0.1:3000/api/x", { headers }), undefined);
  const cookieFor = async (userId: string, sessionVersion: number) => ({
    cookie: `next-auth.session-token=${await encode({ token: { sub: userId, sv: sessionVersion, sid: randomUUID() }, secret: SECRET })}`,
  });

  it("answers 401 without a session, 403 for a role too low, 200 otherwise", async () => {
    const viewer = await createUser(database.db, { email: uniqueEmail("route-viewer"), password: password() }, CLI_ACTOR);
    const admin = await createUser(database.db, { email: uniqueEmail("route-admin"), role: "admin", password: password() }, CLI_ACTOR);

    const anonymous = await call(viewerRoute);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe("not_signed_in");

    expect((await call(viewerRoute, await cookieFor(viewer.id, 0))).status).toBe(200);
    const forbidden = await call(adminRoute, await cookieFor(viewer.id, 0));
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toMatchObject({ code: "forbidden", details: { requiredRole: "admin", role: "viewer" } });
    expect((await call(adminRoute, await cookieFor(admin.id, 0))).status).toBe(200);
    // A session from before a password reset or role change no longer works.
    expect((await call(viewerRoute, await cookieFor(viewer.id, 7))).status).toBe(401);
  });

  it("accepts a valid bearer token with its role, refuses bad ones with 401 and rate-limits guessing with 429", async () => {
    const admin = await createAdmin();
    const { token } = await createApiToken(database.db, { name: "reader", role: "viewer", expiresInDays: null }, admin);
    secrets.push(token);
    const ip = uniqueIp();
    const bearer = (value: string) => ({ authorization: `Bearer ${value}`, [CLIENT_ADDRESS_HEADER]: ip });

    const ok = await call(viewerRoute, bearer(token));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ who: "token reader" });
    expect((await call(adminRoute, bearer(token))).status).toBe(403);
    expect((await call(viewerRoute, { authorization: "Basic abc", [CLIENT_ADDRESS_HEADER]: ip })).status).toBe(401);

    for (let attempt = 1; attempt < TOKEN_LIMITS.perAddress.limit; attempt++) {
      expect((await call(viewerRoute, bearer(`lsk_${randomBytes(32).toString("base64url")}`))).status).toBe(401);
    }
    const limited = await call(viewerRoute, bearer(token));
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe("rate_limited");
    // Another address is unaffected.
    expect((await call(viewerRoute, { authorization: `Bearer ${token}`, [CLIENT_ADDRESS_HEADER]: uniqueIp() })).status).toBe(200);
  });

  it("counts a token attempt before looking it up: a concurrent burst of guesses gets no more lookups than the limit", async () => {
    const ip = uniqueIp();
    const guess = () =>
      call(viewerRoute, { authorization: `Bearer lsk_${randomBytes(32).toString("base64url")}`, [CLIENT_ADDRESS_HEADER]: ip });
    const burst = await Promise.all(Array.from({ length: 3 * TOKEN_LIMITS.perAddress.limit }, guess));
    const statuses = burst.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(TOKEN_LIMITS.perAddress.limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2 * TOKEN_LIMITS.perAddress.limit);
  });

  it("does not count valid tokens against their address", async () => {
    const admin = await createAdmin();
    const { token } = await createApiToken(database.db, { name: "busy automation", role: "viewer", expiresInDays: null }, admin);
    secrets.push(token);
    const ip = uniqueIp();
    for (let i = 0; i < TOKEN_LIMITS.perAddress.limit + 5; i++) {
      expect((await call(viewerRoute, { authorization: `Bearer ${token}`, [CLIENT_ADDRESS_HEADER]: ip })).status).toBe(200);
    }
  });
});

describe("secrets", () => {
  it("never appear in the audit log", async () => {
    const audit = toJsonText(await database.db.auditEvent.findMany());
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(audit).not.toContain(secret);
    expect(audit).not.toContain("scrypt$");
  });
});
