import { AWKWARD_DEVICE_ID } from "./seed-events.ts";
import { asRole, expect, keepScreenshot, type Page, test } from "./fixtures.ts";

// What a newcomer types into the forms (decision 089): the refusal is announced next to the form, the field it names
// is marked for screen readers, what was typed stays, nothing is stored, and the message fits at every width.
test.use(asRole("admin"));

const WIDTHS = [360, 768, 1440];

/** The alert is on screen at each width and the page does not widen past it. */
async function expectReadableAtEveryWidth(page: Page, alert: ReturnType<Page["getByRole"]>, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await alert.scrollIntoViewIfNeeded();
    await expect(alert).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} at ${width} px`).toBe(true);
    await keepScreenshot(page, `bad-input-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1360, height: 900 });
}

/** The field is marked invalid and described by the announced message. */
async function expectFieldDescribedBy(page: Page, field: ReturnType<Page["getByLabel"]>, message: RegExp): Promise<void> {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(message);
}

test("bad input in forms is refused in words, at the field, with nothing stored", async ({ page }) => {
  const forms: {
    name: string;
    open: string;
    fill: () => Promise<void>;
    submit: string;
    message: RegExp;
    field: () => ReturnType<Page["getByLabel"]>;
  }[] = [
    {
      name: "token-invisible-name",
      open: "/admin/tokens",
      fill: () => page.getByLabel("Name", { exact: true }).fill("\u200b\u200b"),
      submit: "Create token",
      message: /name: must not be empty/,
      field: () => page.getByLabel("Name", { exact: true }),
    },
    {
      name: "user-password-of-spaces",
      open: "/admin/users",
      fill: async () => {
        await page.getByLabel("Email").fill("spaces-only@example.test");
        await page.getByLabel(/^Password/).fill(" ".repeat(12));
      },
      submit: "Add user",
      message: /password: must contain more than spaces/,
      field: () => page.getByLabel(/^Password/),
    },
    {
      name: "probe-url-of-spaces",
      open: "/tools/probe",
      fill: () => page.getByLabel("Broker URL").fill("   "),
      submit: "Run probe",
      message: /url: must not be empty/,
      field: () => page.getByLabel("Broker URL"),
    },
    {
      name: "incident-inverted-window",
      open: "/incidents",
      fill: async () => {
        await page.getByLabel("From (UTC)").fill("2026-11-20T06:00");
        await page.getByLabel("To (UTC)").fill("2026-11-19T06:00");
      },
      submit: "Create incident",
      message: /to: .*after .*from/,
      field: () => page.getByLabel("To (UTC)"),
    },
  ];
  for (const form of forms) {
    await page.goto(form.open);
    await form.fill();
    await page.getByRole("button", { name: form.submit }).click();
    const alert = page.getByRole("alert").filter({ hasText: form.message });
    await expect(alert).toBeVisible();
    await expectFieldDescribedBy(page, form.field(), form.message);
    await expectReadableAtEveryWidth(page, alert, form.name);
  }
  // What was typed stays to be corrected; nothing was stored.
  await page.goto("/admin/users");
  await page.getByLabel("Email").fill("spaces-only@example.test");
  await page.getByLabel(/^Password/).fill(" ".repeat(12));
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "password" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("spaces-only@example.test");
  await expect(page.getByRole("table", { name: "Users" })).not.toContainText("spaces-only@example.test");
});

test("a double-clicked submit creates one thing", async ({ page }) => {
  const name = `double click ${Date.now()}`;
  await page.goto("/admin/tokens");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create token" }).dblclick();
  await expect(page.getByTestId("new-token")).toBeVisible();
  const rows = page.getByRole("table", { name: "API tokens" }).getByRole("row").filter({ hasText: name });
  await expect(rows).toHaveCount(1);
  await page.reload();
  await expect(rows).toHaveCount(1);
});

test("the device search reads a pasted device link and says why a search text is refused", async ({ page, baseURL }) => {
  await page.goto("/");
  const search = page.getByRole("combobox", { name: "Device ID" });
  await search.fill(`  ${baseURL}/devices/${encodeURIComponent(AWKWARD_DEVICE_ID)}?from=2026-11-01T00:00:00Z `);
  await search.press("Enter");
  await expect(page.getByTestId("device-id")).toHaveText(AWKWARD_DEVICE_ID);

  await page.goto(`/devices?${new URLSearchParams({ query: "a".repeat(10_000) })}`);
  const alert = page.getByRole("alert").filter({ hasText: /query: must be at most 512 characters/ });
  await expect(alert).toBeVisible();
  await expect(page.getByText(/\d+ devices? match/)).toHaveCount(0);
  await expectReadableAtEveryWidth(page, alert, "device-search-too-long");
});
