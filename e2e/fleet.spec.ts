import { expect, keepScreenshot, test } from "./fixtures.ts";
import { PERIODIC_DEVICE_ID } from "./fleet-history.ts";

const PERIODIC_FIRMWARE = "meter-fw 3.2.1";

test("fleet views: range and filter in the URL survive a reload; a reason drills down to devices and their pages", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Fleet", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/fleet");

  // The seeded last 24 hours: devices online and disconnects, both from the rollups.
  await expect(page.getByTestId("connected-chart")).toHaveAttribute("aria-label", /now [1-9]\d*$/);
  await expect(page.getByTestId("disconnects-chart")).toHaveAttribute("aria-label", /^\d+ disconnects: .*Keepalive timeout/);
  await expect(page.getByRole("button", { name: "24h" })).toHaveAttribute("aria-pressed", "true");

  // Seven days reach the seeded history and its fleet metadata.
  await page.getByRole("button", { name: "7d" }).click();
  await page.waitForURL((url) => url.searchParams.get("range") === "7d");
  await expect(page.getByTestId("fleet-range")).toContainText("per 1 h");
  const firmware = page.getByRole("group", { name: "Filters" }).getByLabel("Firmware");
  await expect(firmware.getByRole("option", { name: PERIODIC_FIRMWARE })).toBeAttached();
  await firmware.selectOption(PERIODIC_FIRMWARE);
  await page.waitForURL((url) => url.searchParams.get("firmware") === PERIODIC_FIRMWARE && url.searchParams.get("range") === "7d");

  // Only the meter's reasons: its expiring credential and the history's broker restart.
  const byReason = page.getByRole("table", { name: "Disconnects by reason" });
  await expect(byReason.getByRole("row").nth(1)).toContainText("not_authorized");
  await expect(byReason).not.toContainText("session_taken_over");

  await page.reload();
  await expect(page.getByRole("button", { name: "7d" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("group", { name: "Filters" }).getByLabel("Firmware")).toHaveValue(PERIODIC_FIRMWARE);
  await expect(byReason).toContainText("not_authorized");

  await byReason.getByRole("button", { name: /not_authorized/ }).click();
  await page.waitForURL((url) => url.searchParams.get("drill") === "reason:not_authorized");
  const affected = page.getByRole("table", { name: /^Devices with / });
  const device = affected.getByRole("link", { name: PERIODIC_DEVICE_ID, exact: true });
  await expect(device).toBeVisible();
  await expect(affected.getByRole("row")).toHaveCount(2);

  await device.click();
  await page.waitForURL(
    (url) => url.pathname === `/devices/${PERIODIC_DEVICE_ID}` && url.searchParams.has("from") && url.searchParams.has("to"),
  );
});

test("the fleet page shows flapping, offline-longest and new-code panels from the seeded data", async ({ page }) => {
  await page.goto("/fleet?range=7d");
  await expect(
    page.getByRole("table", { name: "Flapping devices" }).getByRole("link", { name: PERIODIC_DEVICE_ID, exact: true }),
  ).toBeVisible();
  await expect(page.getByRole("table", { name: "Devices offline longest" }).getByRole("row")).not.toHaveCount(0);
  await expect(page.getByRole("table", { name: "New codes" })).toContainText("emqx:");
});

test("dragging across a chart zooms into that span", async ({ page }) => {
  await page.goto("/fleet?range=6h&source=emqx");
  const chart = page.getByTestId("connected-chart");
  await expect(chart).toHaveAttribute("aria-label", /^Connected devices/);
  const box = await chart.locator(".recharts-surface").boundingBox();
  if (!box) throw new Error("the chart has no box");
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5, { steps: 3 });
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.up();
  await page.waitForURL((url) => url.searchParams.has("from") && url.searchParams.has("to") && url.searchParams.get("source") === "emqx");
  const url = new URL(page.url());
  const spanMs = new Date(url.searchParams.get("to") ?? "").getTime() - new Date(url.searchParams.get("from") ?? "").getTime();
  expect(spanMs).toBeGreaterThan(30 * 60_000);
  expect(spanMs).toBeLessThan(3 * 3_600_000);
  await expect(page.getByRole("button", { name: "Custom…" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("fleet-range")).toContainText("per 1 min");
});

test("fleet APIs reject bad dates and ranges over 90 days with a readable 400", async ({ request }) => {
  const bad = await request.get("/api/v1/fleet/series?from=yesterday");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toContain("from: must be an ISO 8601 timestamp");

  const wide = await request.get("/api/v1/fleet/breakdown?from=2026-01-01T00:00:00Z&to=2026-04-02T00:00:00Z");
  expect(wide.status()).toBe(400);
  expect((await wide.json()).error.message).toContain("at most 90 days");

  const drill = await request.get("/api/v1/fleet/affected-devices?by=reason&key=sunspots");
  expect(drill.status()).toBe(400);
  expect((await drill.json()).error.code).toBe("invalid_query");
});

test("fleet views: a range that cannot be shown gets one explanation and a way back, not five failing panels", async ({ page }) => {
  for (const query of [
    "from=garbage&to=2026-11-02T00:00:00Z",
    "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
    "from=2025-01-01&to=2026-11-01",
  ]) {
    await page.goto(`/fleet?${query}&firmware=x`);
    // Within the page: Next's route announcer is an alert of its own.
    const alerts = page.getByRole("main").getByRole("alert");
    await expect(alerts.filter({ hasText: "This range cannot be shown" })).toBeVisible();
    await expect(alerts).toHaveCount(1);
    await expect(page.getByTestId("connected-chart")).toHaveCount(0);
  }
  await page.getByRole("button", { name: "Reset to the last 24 h" }).click();
  await page.waitForURL((url) => !url.searchParams.has("from") && url.searchParams.get("firmware") === "x");
  await expect(page.getByRole("button", { name: "24h" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("main").getByRole("alert").filter({ hasText: "This range cannot be shown" })).toHaveCount(0);
});

test("fleet views: a date typed without a time or zone is midnight in the viewer's time zone", async ({ page }) => {
  const today = new Date();
  const day = (date: Date) =>
    `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  await page.goto(`/fleet?from=${day(yesterday)}&to=${day(today)}`);
  await expect(page.getByTestId("connected-chart")).toBeVisible();
  await expect(page.getByRole("main").getByText("This range cannot be shown")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Custom…" })).toHaveAttribute("aria-pressed", "true");
});

test("the connection-attempt funnel reads where attempts stop, on a device and on the fleet, at 1440 and 360 px", async ({ page }) => {
  await page.goto(`/devices/${encodeURIComponent(PERIODIC_DEVICE_ID)}?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`);
  const device = page.getByRole("region", { name: "Connection attempts" });
  await expect(device.locator("[data-funnel-reading]")).toContainText("Without device-side reports");
  await expect(device.locator('[data-stage="session"]')).toContainText("dropped");
  await expect(device.getByRole("link", { name: "Latest in the timeline" }).first()).toBeVisible();
  await keepScreenshot(page, "funnel-device-1440", { fullPage: true });

  await page.goto("/fleet?range=7d");
  const fleet = page.getByRole("region", { name: "Connection attempts" });
  await expect(fleet.getByRole("list", { name: "Connection attempts by stage" })).toBeVisible();
  await keepScreenshot(page, "funnel-fleet-1440", { fullPage: true });
  await fleet
    .getByRole("button", { name: /^Devices with / })
    .first()
    .click();
  await page.waitForURL((url) => (url.searchParams.get("drill") ?? "").startsWith("code:"));

  await page.setViewportSize({ width: 360, height: 800 });
  await fleet.scrollIntoViewIfNeeded();
  await keepScreenshot(page, "funnel-fleet-360", { fullPage: true });
});
