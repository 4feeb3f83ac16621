import { randomUUID } from "node:crypto";
import { clickUntil, expect, keepScreenshot, test, visibleTestId } from "./fixtures.ts";
import { awsPresenceEvent, createAwsIngestToken, openE2eDatabase, postAwsPresence } from "./live-ingest.ts";
import { AWKWARD_DEVICE_ID, KEEPALIVE_DEVICE_ID, STORM_DEVICE_ID, STORM_SESSIONS } from "./seed-events.ts";

test("search from the overview leads to the device, its keepalive drop and the raw payload", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Fleet overview" })).toBeVisible();
  await expect(page.getByTestId("devices-online")).toContainText("/");
  await expect(page.getByRole("table", { name: "Devices with the most drops in the last 24 hours" })).toBeVisible();
  await expect(page.locator(".recharts-bar-rectangle").first()).toBeVisible();
  await keepScreenshot(page, "overview", { fullPage: true });

  const search = page.getByRole("combobox", { name: "Device ID" });
  await search.fill("kt-0");
  await expect(page.getByRole("option", { name: new RegExp(KEEPALIVE_DEVICE_ID) })).toBeVisible();
  await search.fill(KEEPALIVE_DEVICE_ID);
  await search.press("Enter");

  await page.waitForURL(`**/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(KEEPALIVE_DEVICE_ID);
  await expect(page.getByText("Online", { exact: true }).first()).toBeVisible();

  const marker = page.getByRole("button", {
    name: /^Disconnected at .*: Keepalive timeout \(keepalive_timeout\), code emqx:keepalive_timeout$/,
  });
  await expect(marker).toHaveCount(1);
  await marker.hover();
  const tooltip = page.getByRole("tooltip");
  await expect(tooltip).toContainText("Keepalive timeout");
  await expect(tooltip).toContainText("emqx:keepalive_timeout");
  await expect(page.locator(".timeline-bar").filter({ visible: true })).toHaveCount(2);

  const stats = page.getByRole("definition");
  await expect(stats.first()).toBeVisible();
  await expect(page.getByText("Current uptime").filter({ visible: true })).toBeVisible();

  const rawButton = page.getByRole("button", { name: /^Raw payload of the disconnected event/ });
  await rawButton.click();
  await expect(rawButton).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByLabel("Raw payload from emqx")).toContainText('"reason": "keepalive_timeout"');
  await page.mouse.move(0, 0);
  await keepScreenshot(page, "device", { fullPage: true });

  await marker.hover();
  await expect(tooltip).toBeVisible();
  await keepScreenshot(page, "device-tooltip", { clip: { x: 0, y: 150, width: 1360, height: 330 } });
});

test("the most-dropping table links to device pages", async ({ page }) => {
  await page.goto("/");
  const table = page.getByRole("table", { name: "Devices with the most drops in the last 24 hours" });
  await table.getByRole("link", { name: "gateway-berlin-03" }).click();
  await page.waitForURL("**/devices/gateway-berlin-03");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("gateway-berlin-03");
  await expect(page.getByRole("button", { name: /Idle timeout \(idle_timeout\)/ })).toHaveCount(12);
  await expect(page.getByText("Offline for").filter({ visible: true })).toBeVisible();
  await keepScreenshot(page, "device-periodic-drops", { fullPage: true });
});

test("live views refetch when new events arrive", async ({ page, request }) => {
  const isOk = (part: string) => (response: { url(): string; status(): number }) =>
    response.url().includes(part) && response.status() === 200;
  const db = openE2eDatabase();
  const token = await createAwsIngestToken(db);
  await db.$disconnect();
  const deviceId = `refetch-${randomUUID().slice(0, 8)}`;
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "connected", new Date(Date.now() - 60_000))]);

  await page.goto("/");
  await expect(page.locator('[data-live-stream="open"]')).toBeVisible();
  const fleet = Promise.all([
    page.waitForResponse(isOk("/api/v1/fleet/summary")),
    page.waitForResponse(isOk("/api/v1/fleet/hourly-disconnects")),
    page.waitForResponse(isOk("/api/v1/fleet/top-devices")),
  ]);
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "disconnected", new Date())]);
  await fleet;

  await page.goto(`/devices/${encodeURIComponent(deviceId)}`);
  await expect(page.locator('[data-live-stream="open"]')).toBeVisible();
  const device = Promise.all([page.waitForResponse(isOk("/sessions?")), page.waitForResponse(isOk("/events?"))]);
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "connected", new Date())]);
  await device;
});

test("the events table pages with Load more, newest first", async ({ page }) => {
  await page.goto(`/devices/${encodeURIComponent(STORM_DEVICE_ID)}`);
  const table = page.getByRole("table", { name: "Device events" });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(50);
  const loadMore = page.getByRole("button", { name: "Load more" });
  const nextPage = page.waitForResponse((response) => response.url().includes("/events?") && response.url().includes("cursor="));
  await loadMore.click();
  expect((await nextPage).status()).toBe(200);
  await expect(rows).toHaveCount(STORM_SESSIONS * 2);
  await expect(loadMore).toHaveCount(0);
  const times = await table.locator("tbody tr td:first-child").allTextContents();
  expect([...times].sort().reverse()).toEqual(times);
  expect(new Set(times).size).toBe(times.length);
  await expect(page.getByRole("button", { name: /Session taken over \(session_taken_over\)/ })).toHaveCount(STORM_SESSIONS);
});

test("the devices list searches, filters by state and links to devices", async ({ page }) => {
  await page.goto("/devices?query=sensor");
  await expect(page.getByRole("heading", { name: "Devices" })).toBeVisible();
  await expect(page.getByTestId("device-total")).toHaveText("15");
  await page.getByLabel("State", { exact: true }).selectOption("offline");
  await page.waitForURL("**/devices?query=sensor&state=offline");
  const rows = page.getByTestId("device-row");
  await expect(rows.filter({ hasText: "Offline" }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "Online" })).toHaveCount(0);
  await keepScreenshot(page, "devices-list", { fullPage: true });
  const first = rows.first().getByRole("link");
  const id = await first.textContent();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(id ?? "");
});

test("the timeline zooms by preset and by dragging, keeping the range in the URL", async ({ page }) => {
  await page.goto(`/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}`);
  await clickUntil(page.getByRole("button", { name: "6h", exact: true }), () =>
    expect(page).toHaveURL(/\?from=[^&]+$/, { timeout: 5_000 }),
  );
  await expect(page.getByRole("button", { name: "6h", exact: true })).toHaveAttribute("aria-pressed", "true");

  const track = visibleTestId(page, "timeline-track");
  const box = await track.boundingBox();
  if (!box) throw new Error("timeline track is not rendered");
  await page.mouse.move(box.x + box.width * 0.55, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + 8, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL(/\?from=[^&]+&to=[^&]+$/);
  await expect(visibleTestId(page, "range-label")).toContainText("fixed range");

  const url = new URL(page.url());
  const from = Date.parse(url.searchParams.get("from") ?? "");
  const to = Date.parse(url.searchParams.get("to") ?? "");
  // A quarter of the 6 h window: about 90 minutes, from ~2.7 h to ~1.2 h ago, around the drop 2 h ago.
  expect(to - from).toBeGreaterThan(80 * 60_000);
  expect(to - from).toBeLessThan(100 * 60_000);
  await expect(page.getByRole("button", { name: /Keepalive timeout \(keepalive_timeout\)/ })).toHaveCount(1);
});

test("an ID with / # + space and unicode works through the URL and renders as text", async ({ page, request }) => {
  const response = await page.goto(`/devices/${encodeURIComponent(AWKWARD_DEVICE_ID)}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("device-id")).toHaveText(AWKWARD_DEVICE_ID);
  await expect(page).toHaveTitle(`${AWKWARD_DEVICE_ID} · Linkscope`);
  await expect(page.getByRole("button", { name: /Connection lost \(connection_lost\), code emqx:tcp_closed/ })).toHaveCount(1);
  await keepScreenshot(page, "device-awkward-id", { fullPage: true });

  // Found through search suggestions too: a click on the suggestion opens the device.
  await page.goto("/");
  const search = page.getByRole("combobox", { name: "Device ID" });
  await search.fill("LINE#2");
  await page.getByRole("option").filter({ hasText: AWKWARD_DEVICE_ID }).click();
  await page.waitForURL(`**/devices/${encodeURIComponent(AWKWARD_DEVICE_ID)}`);
  await expect(page.getByTestId("device-id")).toHaveText(AWKWARD_DEVICE_ID);

  const api = await request.get(`/api/v1/devices/${encodeURIComponent(AWKWARD_DEVICE_ID)}`);
  expect(api.status()).toBe(200);
  expect((await api.json()).device.id).toBe(AWKWARD_DEVICE_ID);

  const events = await request.get(`/api/v1/devices/${encodeURIComponent(AWKWARD_DEVICE_ID)}/events?limit=2`);
  expect(events.status()).toBe(200);
  const body = (await events.json()) as { events: { id: string; kind: string }[]; nextCursor: string | null };
  expect(body.events.map((event) => event.kind)).toEqual(["connected", "disconnected"]);
  expect(typeof body.events[0]?.id).toBe("string");
  expect(body.nextCursor).not.toBeNull();
});

test("an unknown device gives a helpful 404 page", async ({ page }) => {
  const response = await page.goto(`/devices/${encodeURIComponent("no-such/device 9")}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Device not found" })).toBeVisible();
  await expect(page.getByText("“no-such/device 9”")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Device ID" })).toHaveValue("no-such/device 9");
  await keepScreenshot(page, "device-not-found", { fullPage: true });
});
