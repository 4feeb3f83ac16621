import { randomUUID } from "node:crypto";
import { anonymous, asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";
import { awsPresenceEvent } from "./live-ingest.ts";

test.describe("as an admin", () => {
  test.use(asRole("admin"));

  test("creates an ingest token in the UI, sends an event with it, revokes it, and the same request is refused", async ({
    page,
    baseURL,
  }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    const label = `e2e webhook ${randomUUID().slice(0, 8)}`;
    await page.goto("/admin/ingest-tokens");
    await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Ingest tokens" })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await page.getByLabel("Source").selectOption("aws-iot");
    await page.getByLabel("Label").fill(label);
    await page.getByRole("button", { name: "Create ingest token" }).click();

    const shown = page.getByTestId("new-ingest-token");
    await expect(shown).toHaveText(/^lsit_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    const token = (await shown.textContent()) ?? "";
    const id = token.slice(5, 15);
    const curl = page.getByTestId("new-ingest-token-curl");
    await expect(curl).toContainText(`"${baseURL}/api/v1/ingest/aws-iot"`);
    await expect(curl).toContainText(`Authorization: Bearer ${token}`);
    const row = page.getByRole("table", { name: "Ingest tokens" }).getByRole("row").filter({ hasText: label });
    await expect(row).toContainText(id);
    await expect(row).toContainText("AWS IoT Core");
    await expect(row).toContainText("active");
    await keepScreenshot(page, "admin-ingest-tokens", { fullPage: true });

    const sender = await createApiClient(baseURL, null);
    const event = awsPresenceEvent(`ingest-token-e2e-${randomUUID()}`, "connected", new Date());
    const send = (source: string) =>
      sender.post(`/api/v1/ingest/${source}`, { data: [event], headers: { authorization: `Bearer ${token}` } });
    const accepted = await send("aws-iot");
    expect(accepted.status()).toBe(200);
    expect(await accepted.json()).toMatchObject({ accepted: 1, rejected: 0 });
    expect((await send("emqx")).status()).toBe(401);

    // Shown once: gone after a reload, and the page never carries it again.
    await page.reload();
    await expect(page.getByTestId("new-ingest-token")).toHaveCount(0);
    expect(await page.content()).not.toContain(token);
    await expect(row).not.toContainText("never"); // last used: the accepted POST

    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: `Revoke ${label} (${id})` }).click();
    await expect(row).toContainText("revoked");
    await expect(row.getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
    await keepScreenshot(page, "admin-ingest-tokens-revoked", { fullPage: true });
    const refused = await send("aws-iot");
    expect(refused.status()).toBe(401);
    expect((await refused.json()).error.code).toBe("invalid_ingest_token");
    await sender.dispose();

    const events = [];
    for (const action of ["ingest_token.created", "ingest_token.revoked"]) {
      const audit = await page.request.get(`/api/v1/admin/audit?action=${action}`);
      events.push(
        ...((await audit.json()) as { events: { action: string; targetId: string | null; actorType: string }[] }).events.filter(
          (e) => e.targetId === id,
        ),
      );
    }
    expect(events.map((e) => [e.action, e.actorType]).sort()).toEqual([
      ["ingest_token.created", "user"],
      ["ingest_token.revoked", "user"],
    ]);
    const listText = await (await page.request.get("/api/v1/admin/ingest-tokens")).text();
    expect(listText).toContain(id);
    for (const text of [listText, JSON.stringify(events)]) {
      expect(text).not.toContain(token.slice(16));
      expect(text).not.toMatch(/tokenHash|token_hash/);
    }
  });

  test("the API refuses an unknown source with a readable 400 and an unknown token ID with 404", async ({ request }) => {
    const response = await request.post("/api/v1/admin/ingest-tokens", { data: { source: "smtp", label: "nope" } });
    expect(response.status()).toBe(400);
    expect((await response.json()).error.message).toMatch(/^source: must be one of .*aws-iot/);
    expect((await request.delete("/api/v1/admin/ingest-tokens/zzzzzzzzzz")).status()).toBe(404);
  });
});

test.describe("as support", () => {
  test.use(asRole("support"));

  test("the page and the API answer 403", async ({ page, request }) => {
    const response = await page.goto("/admin/ingest-tokens");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    expect((await request.get("/api/v1/admin/ingest-tokens")).status()).toBe(403);
    expect((await request.post("/api/v1/admin/ingest-tokens", { data: { source: "aws-iot" } })).status()).toBe(403);
    expect((await request.delete("/api/v1/admin/ingest-tokens/zzzzzzzzzz")).status()).toBe(403);
  });
});

test.describe("anonymously", () => {
  test.use(anonymous);

  test("the API answers 401", async ({ request }) => {
    expect((await request.get("/api/v1/admin/ingest-tokens")).status()).toBe(401);
  });
});
