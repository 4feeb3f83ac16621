import { randomUUID } from "node:crypto";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import { asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
test.afterAll(async () => {
  await receiver.close();
});

let channelName: string;

test.describe.serial("channels and rules", () => {
  test.describe("as an admin", () => {
    test.use(asRole("admin"));

    test("adds a webhook channel, sees its URL only masked and sends a test", async ({ page }) => {
      channelName = `Ops hook ${randomUUID().slice(0, 8)}`;
      await page.goto("/alerts");
      const panel = page.getByRole("region", { name: "Notification channels" });
      await panel.getByRole("button", { name: "New channel" }).click();
      const form = panel.getByRole("form", { name: "New channel" });
      await form.getByLabel("Name").fill(channelName);
      await form.getByLabel("Type").selectOption("webhook");
      await form.getByLabel("URL").fill(receiver.url);
      await form.getByRole("button", { name: "Add channel" }).click();
      await expect(form).toBeHidden();

      const row = panel.getByTestId("channel-row").filter({ hasText: channelName });
      await expect(row.getByTestId("channel-settings")).toHaveText(`url: ${new URL(receiver.url).origin}/…1234`);
      expect(await page.content()).not.toContain("secretToken");
      const received = receiver.requests.length;
      await row.getByRole("button", { name: "Send test" }).click();
      await expect(row.getByRole("status")).toHaveText("Test delivered (HTTP 200)");
      expect(receiver.requests[received]?.body).toMatchObject({ alert: { status: "test" } });
      await keepScreenshot(page, "alerts-channels", { fullPage: true });
    });
  });

  test.describe("as support", () => {
    test.use(asRole("support"));

    test("creates a rule notifying the channel, test-fires it and finds the delivery in the history", async ({ page }) => {
      const name = `Fleet below 1000 ${randomUUID().slice(0, 8)}`;
      await page.goto("/");
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
      await page.waitForURL(/\/alerts$/);
      await page.getByRole("button", { name: "New rule" }).click();

      const form = page.getByRole("region", { name: "New alert rule" });
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Kind").selectOption("connected_drop_percent");
      await form.getByLabel("Drop within the window, percent").fill("150");
      await form.getByRole("button", { name: "Create rule" }).click();
      await expect(form.getByRole("alert")).toContainText("Drop within the window, percent: at most 100 %");
      await keepScreenshot(page, "alerts-form", { fullPage: true });

      await form.getByLabel("Kind").selectOption("connected_below");
      await form.getByLabel("Fewer connected devices than").fill("1000");
      await form.getByRole("checkbox", { name: new RegExp(`^${channelName}`) }).check();
      await form.getByRole("button", { name: "Create rule" }).click();
      await expect(form).toBeHidden();

      const row = page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name });
      await expect(row.getByTestId("rule-channels")).toHaveText(channelName);
      expect(await page.content()).not.toContain("secretToken");

      const received = receiver.requests.length;
      await row.getByRole("button", { name: "Test-fire" }).click();
      await expect(row.getByTestId("test-fire-result")).toHaveText(`Test ${channelName}: delivered (HTTP 200)`);
      const body = receiver.requests[received]?.body as {
        text: string;
        alert: { rule: string; status: string; threshold: number };
        link: string;
      };
      expect(body.alert).toMatchObject({ rule: name, status: "test", threshold: 1000 });
      expect(body.text).toContain(":test_tube: *TEST*");
      expect(body.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/(fleet|incidents)/);
      await keepScreenshot(page, "alerts", { fullPage: true });

      await row.getByRole("link", { name }).click();
      await page.waitForURL(/\/alerts\/history\?ruleId=/);
      const history = page.getByRole("table", { name: "Alert history" });
      await expect(history.getByRole("row").filter({ hasText: name })).toContainText(`${channelName} (webhook): delivered (HTTP 200)`);
      await expect(history.getByRole("row").filter({ hasText: name })).toContainText("test");
      await keepScreenshot(page, "alerts-history", { fullPage: true });

      await page.goto("/alerts");
      const again = page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name });
      await again.getByRole("button", { name: "Disable" }).click();
      await expect(again.getByText("Disabled", { exact: true })).toBeVisible();
      await again.getByRole("button", { name: "Delete" }).click();
      await again.getByRole("button", { name: "Confirm delete" }).click();
      await expect(page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name })).toHaveCount(0);
    });
  });
});

test.describe("as a viewer", () => {
  test("sees rules and their channels but cannot edit, test-fire or delete, nor read the channels", async ({ page, baseURL }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    const admin = await createApiClient(baseURL, "admin");
    const support = await createApiClient(baseURL, "support");
    const viewer = await createApiClient(baseURL, "viewer");
    const hookName = `Viewer hook ${randomUUID().slice(0, 8)}`;
    const name = `Offline too long ${randomUUID().slice(0, 8)}`;
    try {
      const channel = await admin.post("/api/v1/alerts/channels", {
        data: { name: hookName, type: "webhook", secrets: { url: receiver.url } },
      });
      expect(channel.status()).toBe(201);
      const { channel: created } = (await channel.json()) as { channel: { id: string; secrets: { url: string } } };
      expect(created.secrets.url).toBe(`${new URL(receiver.url).origin}/…1234`);
      expect(
        (await support.post("/api/v1/alerts/channels", { data: { name: "x", type: "webhook", secrets: { url: receiver.url } } })).status(),
      ).toBe(403);
      const made = await support.post("/api/v1/alerts/rules", {
        data: { name, kind: "device_offline_longer", params: { threshold: 60 }, forSeconds: 0, channelIds: [created.id] },
      });
      expect(made.status()).toBe(201);
      const { rule } = (await made.json()) as { rule: { id: string } };

      await page.goto("/alerts");
      const row = page.getByRole("table", { name: "Alert rules" }).getByRole("row").filter({ hasText: name });
      await expect(row.getByTestId("rule-channels")).toHaveText(hookName);
      await expect(page.getByRole("region", { name: "Notification channels" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
      await expect(row.getByRole("button")).toHaveCount(0);

      const listed = await (await viewer.get("/api/v1/alerts/rules")).text();
      expect(listed).toContain(name);
      expect(listed).not.toContain("secretToken");
      expect((await viewer.patch(`/api/v1/alerts/rules/${rule.id}`, { data: { enabled: false } })).status()).toBe(403);
      expect((await viewer.post(`/api/v1/alerts/rules/${rule.id}/test`)).status()).toBe(403);
      expect((await viewer.delete(`/api/v1/alerts/rules/${rule.id}`)).status()).toBe(403);
      expect((await viewer.get("/api/v1/alerts/channels")).status()).toBe(403);
      expect((await support.delete(`/api/v1/alerts/rules/${rule.id}`)).status()).toBe(204);
      expect((await admin.delete(`/api/v1/alerts/channels/${created.id}`)).status()).toBe(204);
    } finally {
      await Promise.all([admin.dispose(), support.dispose(), viewer.dispose()]);
    }
  });
});
