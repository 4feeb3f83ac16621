import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createDb } from "@/lib/db/client.ts";
import { runProbe } from "@/lib/probe/run-probe.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { asRole, expect, keepScreenshot, test } from "./fixtures.ts";

const PASSWORD = `probe-e2e-${randomUUID()}`;
const WRONG_PASSWORD = `wrong-e2e-${randomUUID()}`;
let broker: TestMosquitto;

test.use(asRole("support"));
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  broker = await startTestMosquitto({ users: { probe: PASSWORD } });
});
test.afterAll(async () => broker?.stop());

test("the probe page runs every step against a local Mosquitto and explains a refused password", async ({ page }) => {
  await page.goto("/tools/probe");
  const result = page.getByRole("region", { name: "Result" });
  const run = async (password: string) => {
    await page.getByLabel("Broker URL").fill(`mqtt://127.0.0.1:${broker.port}`);
    await page.getByLabel("User name").fill("probe");
    await page.getByLabel("Password or JWT").fill(password);
    const answered = page.waitForResponse(
      (response) => response.url().endsWith("/api/v1/probes") && response.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Run probe" }).click();
    const response = await answered;
    expect(await response.text()).not.toContain(password);
    expect(response.request().postData()).toContain(password);
  };

  await run(PASSWORD);
  await expect(result.getByRole("heading", { name: /^Every step passed/ })).toBeVisible();
  const steps = result.getByRole("list", { name: "Probe steps" });
  await expect(steps.locator('[data-step="mqtt_connect"]')).toContainText("CONNACK 0: connection accepted");
  await expect(steps.locator('[data-step="ping"]')).toHaveAttribute("data-status", "pass");
  await expect(steps.locator('[data-step="tls"]')).toHaveAttribute("data-status", "skipped");
  await expect(page.getByLabel("Password or JWT")).toHaveValue("");

  await run(WRONG_PASSWORD);
  await expect(result.getByRole("heading", { name: /^Failed at MQTT CONNECT/ })).toBeVisible();
  const code = result.getByRole("link", { name: "connack:5" });
  await expect(code).toHaveAttribute("href", "/codes/connack%3A5");
  await keepScreenshot(page, "probe-page", { fullPage: true });
  await code.click();
  await expect(page).toHaveURL(/\/codes\/connack%3A5$/);
});

test("the API probes only allowed targets", async ({ request }) => {
  const refused = await request.post("/api/v1/probes", { data: { url: "mqtt://broker.example.com:1883", password: PASSWORD } });
  expect(refused.status()).toBe(403);
  const body = await refused.text();
  expect(JSON.parse(body)).toMatchObject({ error: { code: "probe_target_not_allowed" } });
  expect(body).not.toContain(PASSWORD);
});

test("a probe report from the device's network uploads to its page and its support ticket", async ({ page }) => {
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  const deviceId = `probe e2e/${randomUUID().slice(0, 8)}`;
  const db = createDb(databaseUrl, 1);
  try {
    await db.device.create({ data: { id: deviceId } });
  } finally {
    await db.$disconnect();
  }
  const report = await runProbe({ url: `mqtt://127.0.0.1:${broker.port}`, username: "probe", password: WRONG_PASSWORD, mqttVersion: 5 });

  await page.goto(`/devices/${encodeURIComponent(deviceId)}`);
  const panel = page.getByRole("region", { name: "Connectivity probes" });
  await expect(panel).toContainText("No probe runs yet");
  await panel
    .getByLabel("Upload a probe report (JSON)")
    .setInputFiles({ name: "probe.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(report)) });
  await panel.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(panel.getByRole("status")).toHaveText("Probe report uploaded (a step failed).");
  await expect(panel.getByRole("heading", { name: /^Failed at MQTT CONNECT/ })).toBeVisible();
  await expect(panel.getByRole("link", { name: /^mqtt5:0x8[67]$/ })).toBeVisible();
  await expect(page.getByLabel("Support ticket text")).toHaveValue(
    /Connectivity probes from the device's network \(UTC\):\n.*FAIL at mqtt_connect/,
  );
});

test("the server logged none of the probe passwords", () => {
  const logPath = process.env.E2E_SERVER_LOG;
  if (!logPath) throw new Error("E2E_SERVER_LOG is not set: e2e/global-setup.ts did not run");
  const log = readFileSync(logPath, "utf8");
  expect(log).toContain('"msg":"probe run"');
  expect(log).not.toContain(PASSWORD);
  expect(log).not.toContain(WRONG_PASSWORD);
});
