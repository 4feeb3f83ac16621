import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import type { Role } from "@/lib/auth/roles.ts";
import { anonymous, createApiClient, expect, test, type Page } from "./fixtures.ts";
import { startOnFreePort } from "@/lib/testing/free-port.ts";
import { E2E_HOST, startServer, stopServer } from "./global-setup.ts";
import { startOidcTestProvider, type OidcTestAccount, type OidcTestProvider } from "./oidc-provider.ts";

/**
 * Single sign-on against a real OpenID provider (e2e/oidc-provider.ts) through its own login and consent pages.
 * A second `next start` from the same build and database runs with OIDC_* set, so the suite's main server keeps
 * the default configuration (no single sign-on button) that the other specs expect.
 */
const IDP_NAME = "Test IdP";
let idp: OidcTestProvider | undefined;
let app: ChildProcess | undefined;
let appOrigin = "";

test.use(anonymous);
// Each test crosses two servers and the provider's pages; the suite's 30 s is tight on a loaded machine.
test.describe.configure({ timeout: 90_000 });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  // The provider must know the app's callback URL, so it starts again with each port the app tries.
  ({ idp, app, appOrigin } = await startOnFreePort(async (port) => {
    const origin = `http://${E2E_HOST}:${port}`;
    const provider = await startOidcTestProvider({ redirectUri: `${origin}/api/auth/callback/oidc` });
    try {
      const server = await startServer(databaseUrl, test.info().outputPath("oidc-app-server.log"), {
        port,
        env: {
          OIDC_ISSUER: provider.issuer,
          OIDC_CLIENT_ID: provider.clientId,
          OIDC_CLIENT_SECRET: provider.clientSecret,
          OIDC_NAME: IDP_NAME,
        },
      });
      return { idp: provider, app: server, appOrigin: origin };
    } catch (error) {
      await provider.stop();
      throw error;
    }
  }));
});

test.afterAll(async () => {
  await stopServer(app);
  await idp?.stop();
});

function requireIdp(): OidcTestProvider {
  if (!idp) throw new Error("the identity provider did not start");
  return idp;
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

async function withAdmin<T>(baseURL: string | undefined, work: (admin: APIRequestContext) => Promise<T>): Promise<T> {
  if (!baseURL) throw new Error("baseURL is not configured");
  const admin = await createApiClient(baseURL, "admin");
  try {
    return await work(admin);
  } finally {
    await admin.dispose();
  }
}

async function addLinkscopeUser(admin: APIRequestContext, email: string, role: Role): Promise<string> {
  const response = await admin.post("/api/v1/admin/users", { data: { email, role, name: `SSO ${role}` } });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { user: { id: string } }).user.id;
}

async function findAuditEvent(admin: APIRequestContext, action: string, actorLabel: string) {
  const response = await admin.get(`/api/v1/admin/audit?action=${action}&limit=500`);
  expect(response.status()).toBe(200);
  const { events } = (await response.json()) as { events: { actorLabel: string; details: Record<string, unknown> | null }[] };
  return events.find((event) => event.actorLabel === actorLabel);
}

/** From Linkscope's sign-in page through the provider's login and consent pages, back to Linkscope. */
async function signInAtProvider(page: Page, account: OidcTestAccount): Promise<void> {
  const provider = requireIdp();
  provider.addAccount(account);
  await page.getByRole("button", { name: `Sign in with ${IDP_NAME}` }).click();
  await page.waitForURL((url) => url.origin === provider.issuer && url.pathname.startsWith("/interaction/"));
  await page.getByPlaceholder("Enter any login").fill(account.login);
  await page.getByPlaceholder("and password").fill("any password works here");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((url) => url.origin === appOrigin);
}

async function expectRefused(page: Page, message: string): Promise<void> {
  await page.waitForURL((url) => url.origin === appOrigin && url.pathname === "/signin");
  await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText(message);
  expect((await page.request.get(`${appOrigin}/api/v1/me`)).status()).toBe(401);
}

test("a user an admin added signs in through the provider's pages, lands on the page asked for, with their role", async ({
  page,
  baseURL,
}) => {
  const email = `${uniqueName("sso-support")}@e2e.linkscope.test`;
  const userId = await withAdmin(baseURL, (admin) => addLinkscopeUser(admin, email, "support"));

  await page.goto(`${appOrigin}/devices?query=sensor`);
  await page.waitForURL((url) => url.origin === appOrigin && url.pathname === "/signin");
  // The provider spells the address its own way; Linkscope's emails are compared without case.
  await signInAtProvider(page, { login: uniqueName("sam"), email: email.toUpperCase(), emailVerified: true, name: "Sam Support" });

  await page.waitForURL(`${appOrigin}/devices?query=sensor`);
  await expect(page.getByRole("heading", { name: "Devices" })).toBeVisible();
  await expect(page.getByText(`${email} · support`)).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const me = await page.request.get(`${appOrigin}/api/v1/me`);
  expect(await me.json()).toMatchObject({ type: "user", id: userId, label: email, role: "support" });

  await withAdmin(baseURL, async (admin) => {
    expect(await findAuditEvent(admin, "auth.sign_in", email)).toMatchObject({ details: { method: "oidc" } });
    const { users } = (await (await admin.get("/api/v1/admin/users")).json()) as { users: { id: string; lastSignInAt: string | null }[] };
    expect(users.find((user) => user.id === userId)?.lastSignInAt).not.toBeNull();
  });
});

test("an email with no Linkscope user is refused with a message on the sign-in page and an audit record", async ({ page, baseURL }) => {
  const email = `${uniqueName("stranger")}@elsewhere.example`;
  await page.goto(`${appOrigin}/signin`);
  await signInAtProvider(page, { login: uniqueName("stranger"), email, emailVerified: true, name: "Stranger" });

  await expectRefused(page, "This single sign-on account has no Linkscope user. Ask an admin to add your email.");
  await withAdmin(baseURL, async (admin) => {
    expect(await findAuditEvent(admin, "auth.sign_in_failed", email)).toMatchObject({
      details: { method: "oidc", email, reason: "unknown_email" },
    });
  });
});

test("a disabled user is refused, and told so", async ({ page, baseURL }) => {
  const email = `${uniqueName("sso-disabled")}@e2e.linkscope.test`;
  await withAdmin(baseURL, async (admin) => {
    const userId = await addLinkscopeUser(admin, email, "admin");
    expect((await admin.patch(`/api/v1/admin/users/${userId}`, { data: { disabled: true } })).status()).toBe(200);
  });
  await page.goto(`${appOrigin}/signin`);
  await signInAtProvider(page, { login: uniqueName("dora"), email, emailVerified: true, name: "Dora Disabled" });

  await expectRefused(page, "Your Linkscope account is disabled. Ask an admin to enable it.");
  await withAdmin(baseURL, async (admin) => {
    expect(await findAuditEvent(admin, "auth.sign_in_failed", email)).toMatchObject({
      details: { method: "oidc", email, reason: "disabled" },
    });
  });
});

test("an email the provider has not verified is refused, even when a Linkscope user has it", async ({ page, baseURL }) => {
  const email = `${uniqueName("sso-unverified")}@e2e.linkscope.test`;
  await withAdmin(baseURL, (admin) => addLinkscopeUser(admin, email, "admin"));
  await page.goto(`${appOrigin}/signin`);
  await signInAtProvider(page, { login: uniqueName("mallory"), email, emailVerified: false, name: "Mallory" });

  await expectRefused(page, "Your single sign-on provider has not verified this email address.");
  await withAdmin(baseURL, async (admin) => {
    expect(await findAuditEvent(admin, "auth.sign_in_failed", email)).toMatchObject({
      details: { method: "oidc", email, reason: "email_not_verified" },
    });
  });
});
