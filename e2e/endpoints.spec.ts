import { randomUUID } from "node:crypto";
import { createDb, type Db } from "@/lib/db/client.ts";
import { summarizeReport, toStoredReport } from "@/lib/probe-schedule/run-due-probes.ts";
import { buildProbeReport } from "@/lib/testing/probe-report-factory.ts";
import { asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";

const MINUTE = 60_000;
const NAME = `broker-eu ${randomUUID().slice(0, 8)}`;
const EXPLANATION = "The server's certificate expired on 2026-11-30: renew it.";

let db: Db;
let endpointId: string;

/** 24 h of runs every 10 minutes, all passing but one that failed at TLS two hours ago (test data from the factory). */
test.beforeAll(async () => {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  db = createDb(url, 2);
  // Seeded directly (no audited transaction): global setup's database is shared with the running server.
  const endpoint = await db.probeEndpoint.create({
    data: {
      name: NAME,
      url: "mqtts://broker-eu.example.test:8883",
      intervalMinutes: 10,
      username: "probe",
      password: "seeded-Secret-42",
      source: "emqx",
      createdBy: "e2e seed",
      nextRunAt: new Date(Date.now() + 3_600_000),
    },
  });
  endpointId = endpoint.id;
  const now = Date.now();
  const runs = Array.from({ length: 144 }, (_, i) => {
    const at = new Date(now - i * 10 * MINUTE - 5 * MINUTE);
    const report = buildProbeReport({
      url: endpoint.url,
      at,
      stepMs: 20 + (i % 5),
      ...(i === 11 ? { failAt: "tls" as const, explanation: EXPLANATION } : {}),
    });
    return {
      endpointId,
      startedAt: at,
      finishedAt: new Date(report.finishedAt),
      ...summarizeReport(report, null),
      report: toStoredReport(report),
    };
  });
  await db.probeRun.createMany({ data: runs });
});

test.afterAll(async () => {
  await db?.$disconnect();
});

test("the endpoints page shows seeded runs: availability, step latencies and the last failure with its step", async ({ page }) => {
  // Three page loads with charts on a shared, loaded machine.
  test.setTimeout(180_000);
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Endpoints" }).click();
  await page.waitForURL(/\/endpoints$/);
  const row = page.getByRole("table", { name: "Probe endpoints" }).getByRole("row").filter({ hasText: NAME });
  await expect(row).toContainText("99.3 % (143 of 144 runs)");
  await expect(row).toContainText("Passed");
  await expect(page.getByRole("button", { name: "New endpoint" })).toHaveCount(0);

  await row.getByRole("link", { name: NAME }).click();
  await page.waitForURL(new RegExp(`/endpoints/${endpointId}$`));
  await expect(page.getByTestId("endpoint-summary")).toContainText("password stored");
  await expect(page.getByTestId("availability-24h")).toHaveText("99.3 % (143 of 144 runs)");
  await expect(page.getByRole("figure", { name: "Availability per interval: share of passing probe runs" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Step latencies: DNS, TCP connect, TLS, MQTT CONNECT, ping" })).toBeVisible();
  const failure = page.getByRole("table", { name: "Last failures" }).getByRole("row").filter({ hasText: EXPLANATION });
  await expect(failure).toContainText("TLS");
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  expect(await page.content()).not.toContain("seeded-Secret-42");
  await keepScreenshot(page, "endpoint", { fullPage: true });

  await page.getByRole("link", { name: "7 d", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Timeline, last 7 d" })).toBeVisible();
  await expect(page).toHaveURL(/range=7d$/);
});

test.describe("as admin", () => {
  test.use(asRole("admin"));

  test("adds an endpoint with a password that is never shown again, and disables it", async ({ page, baseURL }) => {
    test.setTimeout(180_000);
    const name = `broker-us ${randomUUID().slice(0, 8)}`;
    await page.goto("/endpoints");
    await page.getByRole("button", { name: "New endpoint" }).click();
    const form = page.getByRole("region", { name: "New endpoint" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel(/^URL/).fill("https://broker-us.example.test");
    await form.getByLabel("Every, minutes").fill("5");
    await form.getByLabel(/^Password/).fill("typed-Secret-77");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(form.getByRole("alert")).toContainText("URL: must be an mqtt://, mqtts://, ws:// or wss:// URL with a host");

    await form.getByLabel(/^URL/).fill("wss://broker-us.example.test/mqtt");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await page.waitForURL(/\/endpoints\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByTestId("endpoint-summary")).toContainText("password stored");
    expect(await page.content()).not.toContain("typed-Secret-77");

    if (!baseURL) throw new Error("baseURL is not configured");
    const api = await createApiClient(baseURL, "admin");
    try {
      const listed = await api.get("/api/v1/endpoints");
      expect(await listed.text()).not.toContain("typed-Secret-77");
    } finally {
      await api.dispose();
    }

    await page.getByRole("button", { name: "Disable" }).click();
    await expect(page.getByTestId("endpoint-summary")).toContainText("disabled");
  });
});
