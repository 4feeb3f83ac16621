import { createDiagnosticsCollector } from "@/lib/agent/diagnostics-collector.ts";
import { asRole, expect, keepScreenshot, test } from "./fixtures.ts";
import { AGENT_UPLOAD_DEVICE_ID, KEEPALIVE_DEVICE_ID } from "./seed-events.ts";

test.use(asRole("support"));

/** What the Linkscope agent on a device that the broker keeps refusing writes with `exportJson()`. */
function buildExport(deviceId: string): string {
  let t = Date.now() - 25 * 60_000;
  const collector = createDiagnosticsCollector({
    deviceId,
    agentId: "e2e0upload",
    config: {
      keepaliveSec: 60,
      initialReconnectDelayMs: 500,
      maxReconnectDelayMs: 60_000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 200,
    },
    maxEventsRetained: 100,
    now: () => t,
  });
  collector.recordSystemEvent({ type: "dhcp_renewal", detail: "lease renewed on eth0" });
  t += 2_000;
  collector.recordConnectFailure({
    errorName: "CONNACK_REFUSED",
    errorMessage: "Connection refused: Bad username or password",
    connackCode: 4,
    protocolVersion: 4,
    attemptNumber: 0,
    deep: false,
  });
  t += 60_000;
  collector.recordConnectFailure({
    errorName: "CONNACK_REFUSED",
    errorMessage: "Connection refused: Bad username or password",
    connackCode: 4,
    protocolVersion: 4,
    attemptNumber: 6,
    deep: true,
  });
  return collector.exportJson();
}

test("an agent export uploaded on the device page shows up as device-side context, once", async ({ page }) => {
  await page.goto(`/devices/${encodeURIComponent(AGENT_UPLOAD_DEVICE_ID)}`);
  const panel = page.getByRole("region", { name: "Device-side context" });
  await expect(panel).toContainText("has not sent agent reports");

  const upload = async (name: string, body: string) => {
    await panel
      .getByLabel("Upload an agent export (JSON)")
      .setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(body) });
    await panel.getByRole("button", { name: "Upload", exact: true }).click();
  };

  const exported = buildExport(AGENT_UPLOAD_DEVICE_ID);
  await upload("mqtt_diagnostics.json", exported);
  await expect(panel.getByRole("status")).toHaveText("Imported 3 of 3 events (0 already known).");
  const reports = panel.getByRole("table", { name: "Device reports" });
  await expect(reports).toContainText("connack:4");
  await expect(reports).toContainText("attempt 6 (deep, fresh credentials) failed");
  await expect(reports).toContainText("agent:system_event:dhcp_renewal");
  await expect(panel).toContainText("Failed attempts");
  await keepScreenshot(page, "agent-upload", { fullPage: true });

  await upload("mqtt_diagnostics.json", exported);
  await expect(panel.getByRole("status")).toHaveText("Imported 0 of 3 events (3 already known).");

  // Rejections are answered on the page (wrong device, broken JSON and the dead letters they leave are covered by
  // lib/sources/linkscope-agent.integration.test.ts; an oversized file is refused before it is read).
  await upload("huge.json", `{"pad":"${"x".repeat(2 * 1024 * 1024)}"}`);
  await expect(panel.getByRole("status")).toHaveText(/^The export is \d+ bytes; the limit is 2097152\.$/);
});

test.describe("as a viewer", () => {
  test.use(asRole("viewer"));
  test("the device page shows why there is nothing to upload, not forms that would be refused", async ({ page }) => {
    await page.goto(`/devices/${encodeURIComponent(KEEPALIVE_DEVICE_ID)}`);
    for (const what of ["agent exports", "device files", "probe runs"]) {
      await expect(page.getByRole("note").filter({ hasText: `Uploading ${what} needs the support role` })).toBeVisible();
    }
    await expect(page.locator('input[type="file"]')).toHaveCount(0);
  });
});
