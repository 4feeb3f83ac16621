import { randomUUID } from "node:crypto";
import pg from "pg";
import { asRole, expect, test } from "./fixtures.ts";

// Uploading needs the support role and re-processing dead letters the admin role.
test.use(asRole("admin"));

test("the ingest page imports an uploaded Mosquitto log with progress and lists what it could not read", async ({ page }) => {
  const tag = randomUUID().slice(0, 8);
  const log = [
    `1800000000: New connection from 10.1.2.3:5000 on port 1883.`,
    `1800000000: New client connected from 10.1.2.3:5000 as e2e-${tag} (p2, c1, k60).`,
    `1800000005: Client e2e-${tag} has exceeded timeout, disconnecting.`,
    `1800000006: Client bad\u0007${tag} disconnected.`,
  ].join("\n");

  await page.goto("/ingest");
  await expect(page.getByRole("heading", { name: "Ingest health", level: 1 })).toBeVisible();
  const form = page.getByRole("form", { name: "Import a log file" });
  await form
    .locator('input[type="file"]')
    .setInputFiles({ name: `mosquitto-${tag}.log`, mimeType: "text/plain", buffer: Buffer.from(log) });
  await form.getByRole("combobox").selectOption("mosquitto");
  await form.getByRole("button", { name: "Import" }).click();
  await expect(form.getByRole("status")).toContainText("Done: 4 records · 2 new · 0 duplicate · 1 rejected");
  await expect(form.getByRole("progressbar", { name: "Import progress" })).toHaveAttribute("value", "1");

  // The same file again adds nothing.
  await form.getByRole("button", { name: "Import" }).click();
  await expect(form.getByRole("status")).toContainText("Already imported: nothing added.");

  await page.reload();
  const deadLetters = page.getByRole("table", { name: "Open dead letters" });
  await expect(deadLetters.getByRole("row").filter({ hasText: tag }).first()).toContainText("log line contains control characters");

  // Support discards what this import could not read; other dead letters stay.
  const recent = page
    .getByRole("table", { name: "Recent imports" })
    .getByRole("row")
    .filter({ hasText: `mosquitto-${tag}.log` });
  await recent.getByRole("button", { name: "Discard 1 dead letter" }).click();
  await expect(recent).toContainText("none open");
  await expect(deadLetters.getByRole("row").filter({ hasText: tag })).toHaveCount(0);

  // An import whose progress writes failed (the database did not answer) says so in plain words; the others do not.
  await expect(recent).not.toContainText("could not be recorded");
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  await client.query("UPDATE import_runs SET progress_write_failures = 2 WHERE file_name = $1", [`mosquitto-${tag}.log`]);
  await client.end();
  await page.reload();
  await expect(recent).toContainText("Its progress could not be recorded 2 times (the database did not answer).");
  await expect(
    page.getByRole("table", { name: "Ingest health per source" }).getByRole("cell", { name: "mosquitto", exact: true }),
  ).toBeVisible();
  const device = await page.request.get(`/api/v1/devices/${encodeURIComponent(`e2e-${tag}`)}`);
  expect(await device.json()).toMatchObject({ device: { state: "offline", lastCode: "mosquitto:exceeded-timeout" } });
});

test("an import is checked before it starts: binaries refused, the right format suggested, the first records previewed", async ({
  page,
}) => {
  await page.goto("/ingest");
  const form = page.getByRole("form", { name: "Import a log file" });
  const file = form.locator('input[type="file"]');
  await form.getByRole("combobox").selectOption("mosquitto");

  const binary = Buffer.alloc(200 * 1024, 0);
  binary.write("\u007fELF", 0);
  await file.setInputFiles({ name: "firmware.bin", mimeType: "application/octet-stream", buffer: binary });
  await expect(form.getByRole("alert")).toContainText("This file cannot be imported: it contains NUL bytes");
  await expect(form.getByRole("button", { name: "Import" })).toBeDisabled();

  const tag = randomUUID().slice(0, 8);
  const presence = {
    clientId: `aws-${tag}`,
    timestamp: 1800000000000,
    eventType: "connected",
    sessionIdentifier: randomUUID(),
    principalIdentifier: "p",
    ipAddress: "192.0.2.1",
    versionNumber: 0,
  };
  await file.setInputFiles({ name: "presence.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(presence)) });
  await expect(form.getByText("The mosquitto format reads no events from the file")).toBeVisible();
  await expect(form.getByRole("button", { name: "Import" })).toBeDisabled();
  await form.getByRole("button", { name: /^Use / }).click();
  await expect(form.getByRole("combobox")).not.toHaveValue("mosquitto");
  const preview = form.getByRole("table", { name: "First events in the file" });
  await expect(preview.getByRole("row").nth(1)).toContainText(`aws-${tag}`);
  await expect(form.getByText("In the file: 1 record, 1 event, 0 rejected")).toBeVisible();
  await expect(form.getByRole("button", { name: "Import" })).toBeEnabled();
});

test("a Mosquitto log whose lines carry a year-less syslog time is imported in the year given on the form", async ({ page }) => {
  const tag = randomUUID().slice(0, 8);
  const log = [
    `Dec 31 23:59:00 gw mosquitto[812]: New client connected from 10.1.2.3:5000 as syslog-${tag} (p2, c1, k60).`,
    `Jan  1 00:00:30 gw mosquitto[812]: Client syslog-${tag} has exceeded timeout, disconnecting.`,
  ].join("\n");
  await page.goto("/ingest");
  const form = page.getByRole("form", { name: "Import a log file" });
  await form.getByRole("combobox").selectOption("mosquitto");
  await form.getByRole("spinbutton", { name: "Year of syslog lines" }).fill("2024");
  await form.locator('input[type="file"]').setInputFiles({ name: `syslog-${tag}.log`, mimeType: "text/plain", buffer: Buffer.from(log) });
  await expect(form.getByText("In the file: 2 records, 2 events, 0 rejected")).toBeVisible();
  await expect(form.getByRole("table", { name: "First events in the file" }).getByRole("row").nth(1)).toContainText("2024-12-31");
  await form.getByRole("button", { name: "Import" }).click();
  await expect(form.getByRole("status")).toContainText("Done: 2 records · 2 new · 0 duplicate · 0 rejected");
  const events = await page.request.get(
    `/api/v1/devices/${encodeURIComponent(`syslog-${tag}`)}/events?from=2024-12-01T00:00:00Z&to=2025-02-01T00:00:00Z`,
  );
  const body = (await events.json()) as { events: { occurredAt: string; flags: string[] }[] };
  expect(body.events.map((event) => [event.occurredAt, event.flags])).toEqual([
    ["2025-01-01T00:00:30.000Z", ["year_given_at_import"]],
    ["2024-12-31T23:59:00.000Z", ["year_given_at_import"]],
  ]);
});

test.describe("as a viewer", () => {
  test.use(asRole("viewer"));
  test("the upload form is replaced by the reason, not refused after submitting", async ({ page }) => {
    await page.goto("/ingest");
    await expect(page.getByRole("form", { name: "Import a log file" })).toHaveCount(0);
    await expect(page.getByRole("note").filter({ hasText: "Importing files needs the support role" })).toBeVisible();
  });
});

test("the webhook refuses missing tokens and unknown sources with the error shape", async ({ request }) => {
  const noToken = await request.post("/api/v1/ingest/aws-iot", { data: [] });
  expect(noToken.status()).toBe(401);
  expect((await noToken.json()).error.code).toBe("invalid_ingest_token");
  const unknown = await request.post("/api/v1/ingest/not-a-source", { data: [] });
  expect(unknown.status()).toBe(404);
  const health = await request.get("/api/v1/ingest-health?minutes=0");
  expect(health.status()).toBe(400);
});

test("open dead letters fit their card at tablet and desktop widths: a long one-line payload wraps", async ({ page }) => {
  const tag = randomUUID().slice(0, 8);
  const payload = JSON.stringify({ tag, blob: "x".repeat(3000), nested: Array.from({ length: 40 }, (_, i) => `field-${i}`) });
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  await client.query("INSERT INTO dead_letters (source, error, payload, payload_bytes) VALUES ('aws-iot', $1, $2, $3)", [
    `e2e-${tag}: not a presence event`,
    payload,
    Buffer.byteLength(payload),
  ]);
  await client.end();

  await page.goto("/ingest");
  const table = page.getByRole("table", { name: "Open dead letters" });
  await expect(table.getByRole("row").filter({ hasText: `e2e-${tag}` })).toBeVisible();
  const box = table.locator("xpath=ancestor::div[contains(@class, 'table-wrap')]");
  for (const width of [768, 1360]) {
    await page.setViewportSize({ width, height: 900 });
    await expect
      .poll(() => box.evaluate((element) => element.scrollWidth - element.clientWidth), { message: `sideways scroll at ${width} px` })
      .toBeLessThanOrEqual(0);
  }
});
