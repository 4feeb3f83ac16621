import { anonymous, asRole, createApiClient, expect, test } from "./fixtures.ts";
import { AUTH_FAILING_DEVICE_ID, KEEPALIVE_DEVICE_ID } from "./seed-events.ts";

const SEEDED_IP = "10.20.0.17";
const devicePath = (deviceId: string) => `/devices/${encodeURIComponent(deviceId)}`;
const apiPath = (deviceId: string) => `/api/v1/devices/${encodeURIComponent(deviceId)}`;

test.describe("exports as support", () => {
  test.use(asRole("support"));

  test("history exports as CSV and JSON, with credentials removed and IPs masked on request", async ({ page }) => {
    const csv = await page.request.get(`${apiPath(AUTH_FAILING_DEVICE_ID)}/export?format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect(csv.headers()["content-disposition"]).toContain("attachment");
    const csvText = await csv.text();
    expect(csvText.split("\r\n")[0]).toContain("record,id,occurred_at");
    expect(csvText).toContain("connect_failed");
    expect(csvText).toContain(SEEDED_IP);

    const masked = await page.request.get(`${apiPath(AUTH_FAILING_DEVICE_ID)}/export?format=json&redactIps=1`);
    expect(masked.status()).toBe(200);
    const body = (await masked.json()) as { deviceId: string; events: { username: string | null }[]; redaction: { ips: boolean } };
    expect(body.deviceId).toBe(AUTH_FAILING_DEVICE_ID);
    expect(body.redaction.ips).toBe(true);
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.every((event) => event.username === "[redacted]")).toBe(true);
    expect(JSON.stringify(body)).not.toContain(SEEDED_IP);
  });

  test("the support bundle carries findings, settings and the ticket text", async ({ page }) => {
    const response = await page.request.get(`${apiPath(AUTH_FAILING_DEVICE_ID)}/support-bundle?redactIps=1`);
    expect(response.status()).toBe(200);
    const bundle = (await response.json()) as { supportTicket: string; diagnosis: { findings: unknown[] }; recommendedSettings: unknown[] };
    expect(bundle.supportTicket).toContain(`Device ID: ${AUTH_FAILING_DEVICE_ID}`);
    expect(Array.isArray(bundle.diagnosis.findings)).toBe(true);
    expect(Array.isArray(bundle.recommendedSettings)).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain(SEEDED_IP);
  });

  test("the device page offers the exports", async ({ page }) => {
    await page.goto(devicePath(AUTH_FAILING_DEVICE_ID));
    await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "History as CSV" }).click();
    expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  });
});

test.describe("exports and share links are not for viewers", () => {
  test.use(asRole("viewer"));

  test("the device page shows neither panel", async ({ page }) => {
    await page.goto(devicePath(KEEPALIVE_DEVICE_ID));
    await expect(page.getByTestId("device-id")).toHaveText(KEEPALIVE_DEVICE_ID);
    await expect(page.getByRole("heading", { name: "Exports" })).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Share links" })).toHaveCount(0);
  });
});

test.describe("share links", () => {
  test.use(asRole("support"));

  test("a link opens one device without an account, reaches nothing else, and stops at once when revoked", async ({
    page,
    browser,
    baseURL,
  }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    await page.goto(devicePath(KEEPALIVE_DEVICE_ID));
    const panel = page.getByRole("region", { name: "Share links" });
    await panel.getByRole("button", { name: "Create share link" }).click();
    const shown = panel.getByTestId("new-share-link");
    await expect(shown).toHaveText(/\/share\/lss_[A-Za-z0-9_-]{43}$/);
    const url = (await shown.textContent()) ?? "";
    const token = url.slice(url.lastIndexOf("/") + 1);

    const visitor = await browser.newContext({ ...anonymous, baseURL });
    try {
      const shared = await visitor.newPage();
      const opened = await shared.goto(new URL(url).pathname);
      // The token is in the URL: no Referer leaves the page, not even for its own scripts.
      expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
      await expect(shared.getByTestId("shared-device-id")).toHaveText(KEEPALIVE_DEVICE_ID);
      await expect(shared.getByTestId("shared-verdict")).toBeVisible();
      await expect(shared.getByTestId("shared-events")).toContainText("[ip redacted]");
      const html = await shared.content();
      expect(html).not.toContain(SEEDED_IP);
      expect(html).not.toContain(AUTH_FAILING_DEVICE_ID);
      await expect(shared.getByRole("navigation", { name: "Main" })).toHaveCount(0);

      // The token is not an API credential, and the visitor has no session: the rest of the product stays shut.
      // 429 is a refusal too: api-tokens.spec.ts rate-limits bad bearer tokens from this address while it runs.
      const api = await createApiClient(baseURL, null, { authorization: `Bearer ${token}` });
      for (const deviceId of [AUTH_FAILING_DEVICE_ID, KEEPALIVE_DEVICE_ID]) {
        expect([401, 429]).toContain((await api.get(apiPath(deviceId))).status());
      }
      await api.dispose();
      await shared.goto(devicePath(AUTH_FAILING_DEVICE_ID));
      await shared.waitForURL((next) => next.pathname === "/signin");

      await page.reload();
      const row = page.getByRole("table", { name: "Share links" }).getByRole("row").filter({ hasText: "active until" }).first();
      await expect(row.getByRole("cell").nth(3)).not.toHaveText("0");
      await row.getByRole("button", { name: "Revoke" }).click();
      await expect(page.getByRole("table", { name: "Share links" })).toContainText("revoked");

      await shared.goto(new URL(url).pathname);
      await expect(shared.getByRole("heading", { name: "This link was revoked" })).toBeVisible();
      await expect(shared.getByTestId("shared-device-id")).toHaveCount(0);
    } finally {
      await visitor.close();
    }
  });

  test("an unknown token answers a clear page", async ({ browser, baseURL }) => {
    const visitor = await browser.newContext({ ...anonymous, baseURL });
    try {
      const page = await visitor.newPage();
      await page.goto(`/share/lss_${"A".repeat(43)}`);
      await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
      await page.goto("/share/not-a-token");
      await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
      // A prefetch header is the sender's choice: it must not skip the proxy's token check or its CSP.
      const prefetchHeaders: Record<string, string>[] = [{ "next-router-prefetch": "1", rsc: "1" }, { purpose: "prefetch" }];
      for (const headers of prefetchHeaders) {
        const prefetch = await visitor.request.get(`/share/lss_${"C".repeat(43)}`, { headers });
        expect(prefetch.status(), JSON.stringify(headers)).toBe(404);
        expect(prefetch.headers()["content-security-policy"]).toContain("script-src");
      }
    } finally {
      await visitor.close();
    }
  });
});
