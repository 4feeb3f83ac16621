import { deviceVerdict, expect, test } from "./fixtures.ts";
import { LIVE_BAD_AUTH_DEVICE_ID, LIVE_STORM_DEVICE_ID } from "./live-fleet.ts";

const devicePath = (id: string) => `/devices/${encodeURIComponent(id)}`;

// Global setup ran these devices as real MQTT clients through the embedded broker and the ingest worker.
test("the live simulator's retry-loop plug is diagnosed as a reconnect storm without backoff", async ({ page }) => {
  await page.goto(devicePath(LIVE_STORM_DEVICE_ID));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(LIVE_STORM_DEVICE_ID);
  const verdict = deviceVerdict(page);
  await expect(verdict).toContainText("Reconnect storm without backoff");
  await expect(verdict).toContainText(/median gap 2\d\d ms/);
  await expect(verdict).toHaveClass(/verdict-critical/);
  await expect(
    page
      .getByRole("list", { name: /^Resolution steps: Reconnect storm without backoff/ })
      .getByRole("listitem")
      .first(),
  ).toContainText("Failed");
});

test("the live simulator's valve with a wrong password is diagnosed as authentication failures", async ({ page }) => {
  await page.goto(devicePath(LIVE_BAD_AUTH_DEVICE_ID));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(LIVE_BAD_AUTH_DEVICE_ID);
  const verdict = deviceVerdict(page);
  await expect(verdict).toContainText("Every connect refused (authentication)");
  await expect(verdict).toContainText("emqx:bad_username_or_password");
  await expect(verdict).toHaveClass(/verdict-critical/);
});
