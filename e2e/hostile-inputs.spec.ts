import { expect, keepScreenshot, type Page, test } from "./fixtures.ts";
import { HOSTILE_DEVICE_ID, HOSTILE_MESSAGE } from "./hostile-inputs.ts";

function readInjected(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
}

test("HTML and script in device IDs and payloads render as text on every page that shows them", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  await page.goto(`/devices?query=${encodeURIComponent("<img")}`);
  await expect(page.getByRole("link", { name: HOSTILE_DEVICE_ID })).toBeVisible();
  await expect(page.getByRole("searchbox", { name: "Device ID" })).toHaveValue("<img");
  expect(await readInjected(page)).toBeUndefined();

  // The header search (a combobox with suggestions) is on the overview.
  await page.goto("/");
  const search = page.getByRole("combobox", { name: "Device ID" });
  await search.fill("<script>");
  await expect(page.getByRole("option").filter({ hasText: HOSTILE_DEVICE_ID })).toBeVisible();
  expect(await readInjected(page)).toBeUndefined();

  const response = await page.goto(`/devices/${encodeURIComponent(HOSTILE_DEVICE_ID)}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("device-id")).toHaveText(HOSTILE_DEVICE_ID);
  await expect(page).toHaveTitle(`${HOSTILE_DEVICE_ID} · Linkscope`);
  const rawButton = page.getByRole("button", { name: /^Raw payload of the disconnected event/ });
  await rawButton.click();
  await expect(page.getByLabel("Raw payload from emqx")).toContainText(HOSTILE_MESSAGE);
  await expect(page.getByText(HOSTILE_MESSAGE).first()).toBeVisible();
  await keepScreenshot(page, "hostile-device", { fullPage: true });
  expect(await readInjected(page)).toBeUndefined();
  expect(await page.locator("img[src='x'], svg[onload]").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("search strings with SQL syntax are matched literally and change nothing", async ({ request }) => {
  const before = await (await request.get("/api/v1/fleet/summary")).json();
  for (const query of [
    "' OR '1'='1",
    "'; DROP TABLE devices; --",
    "%' UNION SELECT id FROM users --",
    "\\'; DELETE FROM connection_events; --",
  ]) {
    const response = await request.get(`/api/v1/devices?${new URLSearchParams({ query })}`);
    expect(response.status()).toBe(200);
    expect((await response.json()).devices).toEqual([]);
  }
  const after = await (await request.get("/api/v1/fleet/summary")).json();
  expect(after.devicesTotal).toBe(before.devicesTotal);
  expect(after.disconnects).toBe(before.disconnects);
});

test.describe("oversized bodies", () => {
  test.use({ storageState: "e2e/.auth/admin.json" });

  test("answer 413 with the error shape", async ({ request }) => {
    const big = { email: "big@example.test", name: "x".repeat(100 * 1024) };
    const response = await request.post("/api/v1/admin/users", { data: big });
    expect(response.status()).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "body_too_large" } });

    const signIn = await request.post("/api/auth/callback/credentials", { form: { email: "a@b.c", password: "x".repeat(20 * 1024) } });
    expect(signIn.status()).toBe(413);
  });
});

test("malformed device addresses get the friendly 404 or 400, never a 500", async ({ page, request }) => {
  const nul = await page.goto("/devices/a%00b");
  expect(nul?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Device not found" })).toBeVisible();

  const broken = await page.goto("/devices/%E0%A4%A");
  expect(broken?.status()).toBe(400);
  await expect(page.getByRole("heading", { name: "This address cannot be read" })).toBeVisible();

  for (const path of ["/api/v1/devices/%E0%A4%A", "/api/v1/devices/a%00b", "/api/v1/devices/a%00b/events", "/api/v1/devices?query=a%00b"]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(400);
    expect((await response.json()).error.message, path).toMatch(/percent-encoding|NUL|control characters/);
  }
});
