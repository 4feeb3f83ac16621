import { randomUUID } from "node:crypto";
import { evaluateAlertRules } from "@/lib/alerts/evaluate-alert-rules.ts";
import type { Db } from "@/lib/db/client.ts";
import { createEmqxTestFleet } from "@/lib/testing/emqx-test-fleet.ts";
import { asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";
import { openE2eDatabase } from "./live-ingest.ts";

const MINUTE = 60_000;

let db: Db;
test.beforeAll(() => {
  db = openE2eDatabase();
});
test.afterAll(async () => {
  await db.$disconnect();
});

test.describe("as support", () => {
  test.use(asRole("support"));

  test("silences the seven flapping devices from the alerts page and the drop-rate rule resolves; schedules the nightly maintenance window", async ({
    page,
    baseURL,
  }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    // Seeds a flapping fleet through the real writer and evaluates three times: slow on a loaded machine.
    test.setTimeout(300_000);
    // Seven devices that always flap (a drop and a reconnect every minute for ten minutes) among ten on their own
    // broker node: 70 drops in a 15-minute window stay above 2/min for minutes, however slow the machine is.
    const fleet = createEmqxTestFleet(db, 10, "e2e-flap");
    const flappers = fleet.ids.slice(0, 7);
    const now = Date.now();
    await fleet.connect(fleet.ids, now - 30 * MINUTE);
    for (let minute = 10; minute >= 1; minute--) {
      await fleet.drop(flappers, now - minute * MINUTE);
      await fleet.connect(flappers, now - minute * MINUTE + 5_000);
    }
    const name = `Drop rate > 2/min ${randomUUID().slice(0, 8)}`;
    const support = await createApiClient(baseURL, "support");
    let ruleId: string;
    try {
      const created = await support.post("/api/v1/alerts/rules", {
        data: {
          name,
          kind: "disconnect_rate_above",
          params: { threshold: 2 },
          brokerNode: fleet.node,
          windowMinutes: 15,
          forSeconds: 0,
          clearForSeconds: 0,
        },
      });
      expect(created.status()).toBe(201);
      ruleId = ((await created.json()) as { rule: { id: string } }).rule.id;
    } finally {
      await support.dispose();
    }
    // What the ingest worker's periodic job does (the e2e server runs no worker), limited to this test's rule.
    const evaluate = () => evaluateAlertRules(db, { now: new Date(), publicBaseUrl: baseURL, ruleIds: [ruleId] });

    expect((await evaluate()).fired).toBe(1);
    await page.goto("/alerts");
    const row = page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(/Firing · now [\d.]+ drops\/min/);

    await page.getByRole("button", { name: "New silence" }).click();
    const form = page.getByRole("region", { name: "New silence" });
    await form.getByLabel("Silence").selectOption("devices");
    await form.getByLabel("Device IDs (one per line)").fill(flappers.join("\n"));
    await form.getByLabel("For, minutes").fill("120");
    await form.getByLabel("Reason").fill(`Known flappers ${name}`);
    await form.getByRole("button", { name: "Create silence" }).click();
    await expect(form).toBeHidden();
    const silence = page
      .getByRole("table", { name: "Silences" })
      .getByRole("row")
      .filter({ hasText: `Known flappers ${name}` });
    await expect(silence).toContainText("7 devices");
    await expect(silence).toContainText("Active");
    await keepScreenshot(page, "alert-silences", { fullPage: true });

    expect((await evaluate()).resolved).toBe(1);
    await page.reload();
    await expect(row).toContainText("OK · now 0 drops/min");

    // The nightly broker restart, 02:00–02:15 UTC every day, for this node only.
    await page.getByRole("button", { name: "New maintenance window" }).click();
    const windowForm = page.getByRole("region", { name: "New maintenance window" });
    const windowName = `Nightly restart ${randomUUID().slice(0, 8)}`;
    await windowForm.getByLabel("Name").fill(windowName);
    await windowForm.getByRole("combobox", { name: /Repeats/ }).selectOption("daily");
    await windowForm.getByLabel("Starts at (UTC)").fill("2026-11-01T02:00");
    await windowForm.getByLabel("Duration, minutes").fill("15");
    await windowForm.getByLabel("Broker node (empty: all)").fill(fleet.node);
    await windowForm.getByRole("button", { name: "Create window" }).click();
    await expect(windowForm).toBeHidden();
    const windowRow = page.getByRole("table", { name: "Maintenance windows" }).getByRole("row").filter({ hasText: windowName });
    await expect(windowRow).toContainText(`daily, 15 min · ${fleet.node}`);
    await expect(windowRow).toContainText(/Active|Upcoming/);

    await silence.getByRole("button", { name: "End now" }).click();
    await expect(silence).toContainText("Ended");
    await expect(silence).toContainText("ended early by");
  });
});

test.describe("as a viewer", () => {
  test("sees silences and maintenance windows but cannot create or end them", async ({ page }) => {
    await page.goto("/alerts");
    await expect(page.getByRole("region", { name: "Silences and maintenance" })).toBeVisible();
    await expect(page.getByRole("button", { name: "New silence" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "End now" })).toHaveCount(0);
  });
});
