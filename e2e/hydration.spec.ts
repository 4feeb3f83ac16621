import { expect, test, visibleTestId, waitForHydration } from "./fixtures.ts";
import { deviceApiPath } from "@/lib/http/device-path.ts";
import { AWKWARD_DEVICE_ID, KEEPALIVE_DEVICE_ID, STORM_DEVICE_ID } from "./seed-events.ts";

/**
 * Pages must hydrate to exactly what the server rendered, whatever the gap between the server's read and the
 * browser's first render: a slow network or a busy laptop delays hydration by seconds, and a browser's clock is often
 * seconds off the server's. A browser clock 30 s ahead makes every dataset the server read look old to the client
 * (past TanStack Query's stale time), the case that once rendered "· updating…" in the browser's first render but not
 * in the server's HTML (React error #418 on every device page, issue 15). The console-error fixture fails the test on
 * any hydration error.
 */
const CLOCK_AHEAD_MS = 30_000;

// One page for every check, its clock ahead from the start: each navigation is a new document that hydrates, and a
// fresh context per page would pay a cold load each (decision 043, rule 4).
test("pages hydrate without errors when the browser's clock is ahead of the server's", async ({ page }) => {
  await page.clock.install({ time: Date.now() + CLOCK_AHEAD_MS });
  for (const deviceId of [KEEPALIVE_DEVICE_ID, STORM_DEVICE_ID, AWKWARD_DEVICE_ID]) {
    await test.step(`the device page of ${deviceId}`, async () => {
      // The timeline's data looks stale to this browser, so the panel refetches it once it has hydrated.
      const sessions = `${deviceApiPath(deviceId, "sessions")}?`;
      const timelineRefetched = page.waitForResponse((response) => response.url().includes(sessions));
      await page.goto(`/devices/${encodeURIComponent(deviceId)}`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(deviceId);
      await waitForHydration(page);
      await timelineRefetched;
      await expect(visibleTestId(page, "range-label")).not.toContainText("updating");
    });
  }
  for (const path of ["/", "/devices", "/fleet", "/incidents"]) {
    await test.step(path, async () => {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await waitForHydration(page);
    });
  }
});
