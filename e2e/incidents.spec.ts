import { randomUUID } from "node:crypto";
import { asRole, expect, keepScreenshot, test } from "./fixtures.ts";
import { HEALTHY_PROBE_ID } from "./fleet-history.ts";

test.use(asRole("support"));

test("the seeded broker restart is an incident with its devices, reasons, recovery and notes", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
  await page.waitForURL(/\/incidents$/);
  const row = page.getByRole("table", { name: "Incidents" }).getByRole("row").filter({ hasText: "Server shutdown" }).first();
  await expect(row).toContainText("Closed");
  await row.getByRole("link").click();
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);

  await expect(page.getByTestId("incident-summary")).toContainText("detected by the worker");
  const devices = page.getByRole("table", { name: "Affected devices" });
  await expect(devices.getByRole("link", { name: HEALTHY_PROBE_ID, exact: true })).toBeVisible();
  expect(await devices.getByRole("row").count()).toBeGreaterThan(10);
  await expect(page.getByTestId("recovery-summary")).toContainText(/^\d+ of \d+ devices reconnected$/);
  await expect(page.getByRole("figure", { name: /Drops by reason: Server shutdown/ })).toBeVisible();

  const note = `Broker restarted for patching ${randomUUID().slice(0, 8)}`;
  await page.getByLabel("Add a note").fill(note);
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("list", { name: "Notes" })).toContainText(note);
  await keepScreenshot(page, "incident", { fullPage: true });

  await devices.getByRole("link", { name: HEALTHY_PROBE_ID, exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/devices/${HEALTHY_PROBE_ID}`);
});

test("the incidents table shows every column at tablet and desktop widths, and as labelled lines on a phone", async ({ page }) => {
  await page.goto("/incidents");
  const table = page.getByRole("table", { name: "Incidents" });
  await expect(table.getByRole("row").filter({ hasText: "Server shutdown" }).first()).toBeVisible();
  const box = table.locator("xpath=ancestor::div[contains(@class, 'table-wrap')]");
  const overflow = () => box.evaluate((element) => element.scrollWidth - element.clientWidth);
  for (const width of [768, 1360]) {
    await page.setViewportSize({ width, height: 900 });
    await expect.poll(overflow, { message: `sideways scroll inside the card at ${width} px` }).toBeLessThanOrEqual(0);
    await expect(table.getByRole("columnheader", { name: "Scope" })).toBeInViewport();
  }
  // A phone reads each incident as a card of labelled lines (decision 086): nothing scrolls sideways, Scope included.
  await page.setViewportSize({ width: 375, height: 800 });
  await expect.poll(overflow).toBeLessThanOrEqual(0);
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  const scope = table.getByRole("row").filter({ hasText: "Server shutdown" }).first().getByRole("cell").last();
  expect(await scope.evaluate((cell) => cell.getBoundingClientRect().right)).toBeLessThanOrEqual(375);
});
