import { createDb } from "@/lib/db/client.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { scriptNodeHistory } from "@/lib/testing/emqx-lifecycle.ts";
import { asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";

const MINUTE = 60_000;
let node = "";

// A node of its own, whose only burst of drops (10 in two minutes) was an hour ago; its devices connected 2 hours ago.
test.beforeAll(async () => {
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run this through playwright.config.ts (global setup)");
  const now = Date.now();
  const history = scriptNodeHistory(6, "e2e-preview");
  node = history.node;
  history.connect(history.ids, now - 120 * MINUTE);
  for (let i = 0; i < 10; i++) history.bounce(now - 60 * MINUTE + i * 12_000);
  const db = createDb(databaseUrl, 1);
  try {
    await recordIngestBatch(db, { events: history.inTimeOrder() });
  } finally {
    await db.$disconnect();
  }
});

test.describe("as support", () => {
  test.use(asRole("support"));

  test("previews how often a rule would have fired before saving it, fixed and against the usual rate", async ({ page, baseURL }) => {
    // Two 30-day replays and a save; the suite's 90 s is tight on a loaded machine.
    test.setTimeout(180_000);
    const name = `Drop burst ${node.slice(12, 20)}`;
    await page.goto("/alerts");
    await page.getByRole("button", { name: "New rule" }).click();
    const form = page.getByRole("region", { name: "New alert rule" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Kind").selectOption("disconnect_rate_above");
    await form.getByLabel("Drops per minute (window average)").fill("1");
    await form.getByLabel("Broker node (empty: all)").fill(node);
    await form.getByRole("button", { name: "Preview" }).click();

    const preview = form.getByRole("region", { name: "Preview" });
    await expect(preview.getByTestId("preview-7d")).toHaveText("Last 7 days: fired 1 time, resolved 1 time");
    await expect(preview.getByTestId("preview-30d")).toHaveText("Last 30 days: fired 1 time, resolved 1 time");
    await expect(preview.getByRole("table", { name: "Preview firings" }).getByRole("row")).toHaveCount(2);
    await keepScreenshot(page, "alert-preview", { fullPage: true });

    // Against the usual rate: this node has no history at this hour on the previous days, so no baseline and no firing.
    await form.getByLabel("Compare with").selectOption("baseline");
    await expect(preview).toBeHidden();
    await form.getByLabel("K, times the usual rate").fill("3");
    await form.getByLabel("Never below, per minute (floor)").fill("1");
    await form.getByRole("button", { name: "Preview" }).click();
    await expect(preview.getByTestId("preview-7d")).toHaveText("Last 7 days: fired 0 times, resolved 0 times");
    await expect(preview).toContainText("No baseline yet");

    await form.getByRole("button", { name: "Create rule" }).click();
    await expect(form).toBeHidden();
    const row = page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name });
    await expect(row).toContainText("> 3 × usual (≥ 1) drops/min over 5 min");
    await expect(row).toContainText("no baseline yet");

    if (!baseURL) throw new Error("baseURL is not configured");
    const support = await createApiClient(baseURL, "support");
    try {
      const { rules } = (await (await support.get("/api/v1/alerts/rules")).json()) as { rules: { id: string; name: string }[] };
      const created = rules.find((rule) => rule.name === name);
      expect((await support.delete(`/api/v1/alerts/rules/${created?.id ?? "missing"}`)).status()).toBe(204);
    } finally {
      await support.dispose();
    }
  });
});
