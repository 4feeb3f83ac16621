import { readFileSync } from "node:fs";
import pg from "pg";
import { asRole, createApiClient, credentialsFor, expect, keepScreenshot, test } from "./fixtures.ts";

// One flow, in order: tokens are created, used, aged, revoked; guessing is rate-limited last because it blocks
// bearer tokens from this address for a minute.
test.describe.configure({ mode: "serial" });
test.use(asRole("admin"));

const created: string[] = [];

test("admins create tokens in the UI, see each once, and revoke them", async ({ page }) => {
  await page.goto("/admin/tokens");
  await page.getByLabel("Name").fill("nightly export");
  await page.getByLabel("Role").selectOption("support");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toHaveText(/^lsk_[A-Za-z0-9_-]{43}$/);
  const token = (await shown.textContent()) ?? "";
  created.push(token);
  const row = page.getByRole("table", { name: "API tokens" }).getByRole("row").filter({ hasText: "nightly export" });
  await expect(row).toContainText(`${token.slice(0, 10)}…`);
  await expect(row).toContainText("support");
  await keepScreenshot(page, "admin-tokens", { fullPage: true });

  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  const anonymousClient = await createApiClient(page.url(), null, { authorization: `Bearer ${token}` });
  expect((await anonymousClient.get("/api/v1/fleet/summary")).status()).toBe(200);
  await row.getByRole("button", { name: "Revoke nightly export" }).click();
  await expect(row).toContainText("revoked");
  const refused = await anonymousClient.get("/api/v1/fleet/summary");
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("invalid_token");
  await anonymousClient.dispose();
});

test("a token acts with its role: 200 within it, 403 beyond; wrong and expired tokens get 401", async ({ request, baseURL }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  const response = await request.post("/api/v1/admin/tokens", { data: { name: "reader", role: "viewer", expiresInDays: 30 } });
  expect(response.status()).toBe(201);
  const { token, apiToken } = (await response.json()) as { token: string; apiToken: { id: string } };
  created.push(token);

  const asToken = await createApiClient(baseURL, null, { authorization: `Bearer ${token}` });
  expect((await asToken.get("/api/v1/devices?limit=1")).status()).toBe(200);
  expect(await (await asToken.get("/api/v1/me")).json()).toEqual({ type: "token", id: apiToken.id, label: "token reader", role: "viewer" });
  expect((await asToken.get("/api/v1/admin/users")).status()).toBe(403);
  await asToken.dispose();

  const wrong = await createApiClient(baseURL, null, { authorization: `Bearer ${token.slice(0, -2)}xx` });
  expect((await wrong.get("/api/v1/devices")).status()).toBe(401);
  await wrong.dispose();

  // Age the token past its expiry directly in the database.
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  await client.query("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [apiToken.id]);
  await client.end();
  const expired = await createApiClient(baseURL, null, { authorization: `Bearer ${token}` });
  expect((await expired.get("/api/v1/devices")).status()).toBe(401);
  await expired.dispose();

  const list = await request.get("/api/v1/admin/tokens");
  const text = await list.text();
  for (const secret of created) expect(text).not.toContain(secret.slice(4));
});

test("the audit log shows token and user actions to admins", async ({ page }) => {
  await page.goto("/admin/audit");
  const table = page.getByRole("table", { name: "Audit events" });
  for (const action of ["token.created", "token.revoked", "token.used", "token.refused", "auth.sign_in"]) {
    await expect(table.getByRole("cell", { name: action, exact: true }).first()).toBeVisible();
  }
  await keepScreenshot(page, "admin-audit", { fullPage: true });
});

test("guessing tokens is rate-limited with 429", async ({ baseURL }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < 25; i++) {
    const guess = await createApiClient(baseURL, null, { authorization: `Bearer lsk_${String(i).padStart(43, "x")}` });
    const response = await guess.get("/api/v1/devices");
    statuses.push(response.status());
    retryAfter = response.headers()["retry-after"];
    await guess.dispose();
  }
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(statuses.at(-1)).toBe(429);
  expect(retryAfter).toMatch(/^\d+$/);
});

test("passwords, password hashes and tokens never appear in API responses or the server log", async ({ request }) => {
  const secrets = [...created, ...(["viewer", "support", "admin"] as const).map((role) => credentialsFor(role).password)];
  expect(secrets.length).toBeGreaterThanOrEqual(5);
  const responses = await Promise.all(
    ["/api/v1/admin/users", "/api/v1/admin/tokens", "/api/v1/admin/audit?limit=500", "/api/v1/me"].map((path) => request.get(path)),
  );
  for (const response of responses) {
    expect(response.status()).toBe(200);
    const text = await response.text();
    expect(text).not.toContain("scrypt$");
    expect(text).not.toMatch(/passwordHash|tokenHash|token_hash|password_hash/);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
  const logPath = process.env.E2E_SERVER_LOG;
  if (!logPath) throw new Error("global setup did not say where the server log is");
  const log = readFileSync(logPath, "utf8");
  expect(log.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(log).not.toContain(secret);
  expect(log).not.toContain("scrypt$");
});
