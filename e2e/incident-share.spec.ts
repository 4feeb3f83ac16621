import { randomUUID } from "node:crypto";
import { redactText } from "@/lib/security/redact.ts";
import { anonymous, asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";

type IncidentRow = { id: string; trigger: string; title: string; affectedDevices: number; dominantReason: string | null };

test.use(asRole("support"));

test("support declares an incident from a window; a window without drops says so", async ({ page }) => {
  await page.goto("/incidents");
  const form = page.getByRole("form", { name: "Declare an incident" });
  await form.getByLabel("From (UTC)").fill("2020-01-01T00:00");
  await form.getByLabel("To (UTC)").fill("2020-01-01T01:00");
  await form.getByRole("button", { name: "Create incident" }).click();
  await expect(page.getByRole("region", { name: "Declare an incident" }).getByRole("alert")).toHaveText(
    "No device dropped in that window with that filter.",
  );
  await keepScreenshot(page, "incidents-declare", { fullPage: true });

  const title = `E2E manual incident ${randomUUID().slice(0, 8)}`;
  await form.getByLabel("From (UTC)").fill(new Date(Date.now() - 3 * 3_600_000).toISOString().slice(0, 16));
  await form.getByLabel("To (UTC)").fill(new Date(Date.now() + 60_000).toISOString().slice(0, 16));
  await form.getByLabel("Title (optional)").fill(title);
  await form.getByRole("button", { name: "Create incident" }).click();
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByTestId("incident-summary")).toContainText("declared by");
});

test("an incident link opens the incident without an account, reaches nothing else, and answers 410 once revoked", async ({
  page,
  browser,
  baseURL,
}) => {
  // About fifteen server-rendered navigations: on a loaded 2-core machine this outlasted the default timeout while
  // every step was still making progress.
  test.slow();
  if (!baseURL) throw new Error("baseURL is not configured");
  const { incidents } = (await (await page.request.get("/api/v1/incidents")).json()) as { incidents: IncidentRow[] };
  // The e2e seed runs incident detection over the fleet history: its broker restart is a mass-drop incident.
  const shared = incidents.find((incident) => incident.trigger === "mass_drop");
  if (!shared) throw new Error("the e2e seed has no detected incident");
  const other = incidents.find((incident) => incident.id !== shared.id);

  const exported = await page.request.get(`/api/v1/incidents/${shared.id}/export?redactIps=1`);
  expect(exported.status()).toBe(200);
  expect(((await exported.json()) as { incident: { id: string } }).incident.id).toBe(shared.id);

  await page.goto(`/incidents/${shared.id}`);
  await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Support bundle" }).click();
  expect((await download).suggestedFilename()).toMatch(/^incident-[0-9a-f]{8}-support-bundle-.*\.json$/);
  const panel = page.getByRole("region", { name: "Share links" });
  await panel.getByLabel("Expires after").selectOption({ label: "1 day" });
  await panel.getByRole("button", { name: "Create share link" }).click();
  const shown = panel.getByTestId("new-share-link");
  await expect(shown).toHaveText(/\/share\/lss_[A-Za-z0-9_-]{43}$/);
  const url = new URL((await shown.textContent()) ?? "");
  const token = url.pathname.slice("/share/".length);

  const visitor = await browser.newContext({ ...anonymous, baseURL });
  try {
    const view = await visitor.newPage();
    const opened = await view.goto(url.pathname);
    expect(opened?.status()).toBe(200);
    // IP addresses are masked on shared pages, broker node names included (the seed's node is linkscope@127.0.0.1).
    await expect(view.getByTestId("shared-incident-title")).toHaveText(redactText(shared.title, { redactIps: true }));
    expect(await view.content()).not.toContain("127.0.0.1");
    await expect(view.getByTestId("shared-incident-devices")).toHaveText(`${shared.affectedDevices.toLocaleString("en-US")} devices`);
    await expect(view.getByTestId("shared-incident-reasons")).toContainText("Server shutdown");
    await expect(view.getByRole("table", { name: "Affected devices" }).getByRole("row")).toHaveCount(shared.affectedDevices + 1);
    // Nothing leads out of the link's scope: no site navigation, no link at all.
    await expect(view.getByRole("navigation")).toHaveCount(0);
    await expect(view.locator("a[href]")).toHaveCount(0);
    await keepScreenshot(view, "incident-share", { fullPage: true });

    // The link's browser, with whatever the shared page left in it, is sent to sign-in everywhere else: the redirect is
    // the server's (proxy.ts), so the browser's own requests prove it past the first page without rendering each.
    const [firstPath, ...otherPaths] = ["/devices", "/incidents", `/incidents/${other?.id ?? shared.id}`, `/incidents/${shared.id}`];
    await view.goto(firstPath ?? "/devices");
    await view.waitForURL((next) => next.pathname === "/signin");
    for (const path of otherPaths) {
      const response = await visitor.request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(307);
      expect(new URL(response.headers().location ?? "", baseURL).pathname, path).toBe("/signin");
    }
    // The token is not an API credential. 429 is a refusal too: api-tokens.spec.ts rate-limits bad bearer tokens.
    const api = await createApiClient(baseURL, null, { authorization: `Bearer ${token}` });
    try {
      for (const path of ["/api/v1/devices", `/api/v1/incidents/${shared.id}`, `/api/v1/incidents/${shared.id}/export`]) {
        expect([401, 429]).toContain((await api.get(path)).status());
      }
    } finally {
      await api.dispose();
    }
    const anonymousApi = await createApiClient(baseURL, null);
    try {
      expect((await anonymousApi.get(`/api/v1/devices?token=${token}`)).status()).toBe(401);
      // No public API serves shared data: the page is rendered on the server from the link's scope alone.
      for (const path of [`/api/v1/share/${token}`, `/api/v1/share/${token}/incident`, `/api/v1/share/${token}/devices`]) {
        expect((await anonymousApi.get(path)).status()).toBe(404);
      }
    } finally {
      await anonymousApi.dispose();
    }

    await page.reload();
    const row = page.getByRole("table", { name: "Share links" }).getByRole("row").filter({ hasText: "active until" }).first();
    await expect(row.getByRole("cell").nth(2)).not.toHaveText("0");
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByRole("table", { name: "Share links" })).toContainText("revoked");
    await keepScreenshot(page, "incident-share-links", { fullPage: true });

    const refused = await view.goto(url.pathname);
    expect(refused?.status()).toBe(410);
    await expect(view.getByRole("heading", { name: "This link was revoked" })).toBeVisible();
    await expect(view.getByTestId("shared-incident-title")).toHaveCount(0);
    await keepScreenshot(view, "incident-share-revoked");

    const unknown = await view.goto(`/share/lss_${"B".repeat(43)}`);
    expect(unknown?.status()).toBe(404);
    await expect(view.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  } finally {
    await visitor.close();
  }
});
