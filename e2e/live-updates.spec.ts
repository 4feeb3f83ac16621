import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client.ts";
import { deviceHref } from "@/lib/http/device-path.ts";
import { expect, test, type Page } from "./fixtures.ts";
import { awsPresenceEvent, createAwsIngestToken, openE2eDatabase, postAwsPresence } from "./live-ingest.ts";

// Not a speed claim: periodic refetches never fire in these pages (holdPeriodicRefetches), so only the stream can
// bring an update, however long a loaded machine takes to deliver it.
const LIVE_TIMEOUT_MS = 60_000;

let db: Db;
let token: string;

test.beforeAll(async () => {
  db = openE2eDatabase();
  token = await createAwsIngestToken(db);
});

test.afterAll(async () => {
  await db.$disconnect();
});

test.beforeEach(async ({ context }) => {
  await context.addInitScript(holdPeriodicRefetches);
});

/**
 * Runs in the page before its scripts: intervals of 5 s or more (the views' own 30 s refetch, the provider's 5 s
 * fallback while the stream is down) are scheduled but never fire, so an update that shows proves the stream.
 */
function holdPeriodicRefetches(): void {
  const NEVER_MS = 2 ** 31 - 1;
  const setIntervalAsIs = window.setInterval.bind(window);
  window.setInterval = ((handler: TimerHandler, delay?: number, ...args: unknown[]) =>
    setIntervalAsIs(handler, (delay ?? 0) >= 5000 ? NEVER_MS : delay, ...args)) as typeof window.setInterval;
}

/** Marks the document, so a later check proves the page was updated in place rather than reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { liveMarker: true }));
}
async function expectSameDocument(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: boolean }).liveMarker)).toBe(true);
}
async function waitForLiveStream(page: Page): Promise<void> {
  await expect(page.locator('[data-live-stream="open"]')).toBeVisible();
}

test("a new event shows on the device page and the overview without a reload", async ({ page, context, request }) => {
  const deviceId = `live-e2e/${randomUUID().slice(0, 8)} #1`;
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "connected", new Date(Date.now() - 60_000))]);

  await page.goto(deviceHref(deviceId));
  const header = page.locator(".device-header");
  await expect(header.getByText("Online", { exact: true })).toBeVisible();
  const events = page.getByRole("table", { name: "Device events" });
  await expect(events.getByRole("row")).toHaveCount(2);

  const overview = await context.newPage();
  await overview.goto("/");
  const disconnectsCard = overview.locator(".card").filter({ hasText: "Disconnects · 24 h" }).locator(".card-value");
  const disconnectsBefore = Number((await disconnectsCard.innerText()).replace(/\D/g, ""));
  await Promise.all([waitForLiveStream(page), waitForLiveStream(overview)]);
  await markDocument(page);
  await markDocument(overview);

  const result = await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "disconnected", new Date(), "MQTT_KEEP_ALIVE_TIMEOUT")]);
  expect(result).toMatchObject({ accepted: 1, rejected: 0 });

  await expect(header.getByText("Offline", { exact: true })).toBeVisible({ timeout: LIVE_TIMEOUT_MS });
  await expect(events.getByRole("row").filter({ hasText: "aws:MQTT_KEEP_ALIVE_TIMEOUT" })).toBeVisible({ timeout: LIVE_TIMEOUT_MS });
  await expect(header).toContainText("1 of 1 disconnects", { timeout: LIVE_TIMEOUT_MS });
  await expect
    .poll(async () => Number((await disconnectsCard.innerText()).replace(/\D/g, "")), { timeout: LIVE_TIMEOUT_MS })
    .toBeGreaterThan(disconnectsBefore);
  await expectSameDocument(page);
  await expectSameDocument(overview);
});

/** Pretends the tab was hidden or shown again (Playwright's headless pages are always visible). */
async function setTabVisibility(page: Page, state: "hidden" | "visible"): Promise<void> {
  await page.evaluate((visibility) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => visibility === "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

test("a hidden tab closes its stream and catches up when shown again", async ({ page, request }) => {
  const deviceId = `live-hidden-${randomUUID().slice(0, 8)}`;
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "connected", new Date(Date.now() - 60_000))]);
  await page.goto(deviceHref(deviceId));
  await waitForLiveStream(page);
  await markDocument(page);

  await setTabVisibility(page, "hidden");
  await expect(page.locator('[data-live-stream="closed"]')).toBeVisible();
  await postAwsPresence(request, token, [awsPresenceEvent(deviceId, "disconnected", new Date())]);

  await setTabVisibility(page, "visible");
  await waitForLiveStream(page);
  // Caught up by the new stream's first message (a newer event than the page last saw) and TanStack's refetch on focus.
  await expect(page.locator(".device-header").getByText("Offline", { exact: true })).toBeVisible({ timeout: LIVE_TIMEOUT_MS });
  await expectSameDocument(page);
});

test("the header warns when ingest lags and when the worker is gone", async ({ page }) => {
  const workerId = `e2e-live-${randomUUID().slice(0, 8)}`;
  await page.goto("/devices");
  await waitForLiveStream(page);
  const status = page.locator("header").getByRole("status");
  try {
    await db.workerStatus.create({
      data: { id: workerId, brokerConnected: true, lagMs: 42_000, lastEventAt: new Date(), heartbeatAt: new Date() },
    });
    await expect(status).toHaveText("Ingest lag 42 s", { timeout: LIVE_TIMEOUT_MS });
    await expect(status).toHaveClass(/status-warn/);

    // Every worker's heartbeat stale: offline since the last one.
    await db.workerStatus.updateMany({ data: { heartbeatAt: new Date(Date.now() - 10 * 60_000) } });
    await expect(status).toContainText("Ingest worker offline since", { timeout: LIVE_TIMEOUT_MS });
    await expect(status).toHaveClass(/status-bad/);
  } finally {
    await db.workerStatus.delete({ where: { id: workerId } });
  }
});
