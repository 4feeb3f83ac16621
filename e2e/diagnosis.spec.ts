import { createSign, generateKeyPairSync } from "node:crypto";
import { deviceVerdict, expect, keepScreenshot, test, visibleTestId } from "./fixtures.ts";
import { DUPLICATE_ID_ADDRESSES, DUPLICATE_ID_DEVICE_ID, HEALTHY_PROBE_ID, PERIODIC_DEVICE_ID } from "./fleet-history.ts";

const devicePath = (id: string) => `/devices/${encodeURIComponent(id)}`;

// Three device pages read by one viewer, in one page: a fresh context per device would pay a cold load each
// (decision 043, rule 4).
test("device pages give each seeded device's verdict with its steps and evidence", async ({ page }) => {
  await test.step("a device with periodic credential expiry shows that verdict and guided steps with evidence links", async () => {
    await page.goto(devicePath(PERIODIC_DEVICE_ID));
    const verdict = deviceVerdict(page);
    await expect(verdict).toContainText(/Drops every 60 ± \d(\.\d)? min with emqx:not_authorized, then reconnects in \d(\.\d)? s/);
    await expect(verdict).toContainText("credential expires");
    await expect(verdict).toHaveClass(/verdict-warning/);

    const steps = page.getByRole("list", { name: /^Resolution steps: Periodic drops/ });
    const renew = steps.getByRole("listitem").filter({ hasText: "Renew the credential before it expires" });
    await expect(renew).toContainText("Failed");
    await expect(steps.getByRole("listitem").filter({ hasText: "Reconnect with fresh credentials" })).toContainText("Passed");
    await keepScreenshot(page, "diagnosis-periodic", { fullPage: true });

    await renew.getByRole("link", { name: "See the evidence" }).click();
    await page.waitForURL(/\?from=[^&]+&to=[^&]+$/);
    await expect(visibleTestId(page, "range-label")).toContainText("fixed range");
    await expect(page.getByRole("button", { name: /Not authorized \(not_authorized\)/ }).first()).toBeVisible();
  });

  await test.step("a device sharing its client ID names both addresses", async () => {
    await page.goto(devicePath(DUPLICATE_ID_DEVICE_ID));
    const verdict = deviceVerdict(page);
    await expect(verdict).toContainText(`Two devices share client ID ${DUPLICATE_ID_DEVICE_ID}`);
    for (const address of DUPLICATE_ID_ADDRESSES) await expect(verdict).toContainText(address);
    await expect(verdict).toHaveClass(/verdict-critical/);
    await expect(
      page
        .getByRole("list", { name: /Duplicate client ID/ })
        .getByRole("listitem")
        .first(),
    ).toContainText("Failed");
    await keepScreenshot(page, "diagnosis-duplicate-id", { fullPage: true });
  });

  await test.step("a healthy device has no alarming finding, a recommended configuration and a copyable ticket", async () => {
    await page.goto(devicePath(HEALTHY_PROBE_ID));
    const verdict = deviceVerdict(page);
    await expect(verdict).toBeVisible();
    await expect(verdict).not.toHaveClass(/verdict-(warning|critical)/);
    await expect(verdict).toContainText(/No problem found|not a problem of this device/);

    const config = page.getByRole("table", { name: "Recommended client configuration" });
    await expect(config.getByRole("row").filter({ hasText: "Keepalive" })).toContainText("Matches: 60 s");
    const ticket = page.getByRole("textbox", { name: "Support ticket text" });
    await expect(ticket).toHaveValue(new RegExp(`^Device ID: ${HEALTHY_PROBE_ID}\\n`));
    await expect(ticket).toHaveValue(/Observation window \(UTC\): \d{4}-\d\d-\d\dT/);
    await keepScreenshot(page, "diagnosis-healthy", { fullPage: true });
  });
});

test("the diagnosis API answers with findings ordered by confidence and the error shape", async ({ request }) => {
  const response = await request.get(`/api/v1/devices/${encodeURIComponent(DUPLICATE_ID_DEVICE_ID)}/diagnosis`);
  expect(response.status()).toBe(200);
  const body = (await response.json()) as {
    verdict: { analyzer: string };
    findings: { confidence: number; steps: { status: string }[] }[];
  };
  expect(body.verdict.analyzer).toBe("client-id-takeover");
  const confidences = body.findings.map((finding) => finding.confidence);
  expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);

  const missing = await request.get(`/api/v1/devices/${encodeURIComponent("no such device")}/diagnosis`);
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error.code).toBe("device_not_found");
  const badRange = await request.get(`/api/v1/devices/${encodeURIComponent(PERIODIC_DEVICE_ID)}/diagnosis?from=soon`);
  expect(badRange.status()).toBe(400);
});

test("codes are searchable and a code page shows meaning, fleet trend and affected devices", async ({ page, request }) => {
  await page.goto("/codes");
  await page.getByRole("searchbox", { name: "Search codes" }).fill("404104");
  await page.waitForURL("**/codes?query=404104");
  const table = page.getByRole("table", { name: "Codes" });
  await expect(table.getByRole("row").nth(1)).toContainText("DeviceConnectionClosedRemotely");
  await expect(table.getByRole("row").filter({ hasText: "azure:409002" })).toHaveCount(1);
  await keepScreenshot(page, "codes-search", { fullPage: true });
  await table.getByRole("link", { name: "azure:404104" }).click();
  await expect(page.getByTestId("code-id")).toHaveText("azure:404104");
  await expect(page.getByText("DeviceConnectionClosedRemotely").first()).toBeVisible();

  await page.goto(`/codes/${encodeURIComponent("emqx:not_authorized")}`);
  await expect(page.getByRole("table", { name: "Affected devices" }).getByRole("link", { name: PERIODIC_DEVICE_ID })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Events per day: / })).toBeVisible();
  await keepScreenshot(page, "code-page", { fullPage: true });

  const api = await request.get("/api/v1/codes?query=taken%20over&vendor=mqtt5");
  expect(((await api.json()) as { codes: { code: string }[] }).codes.map((entry) => entry.code)).toEqual(["mqtt5:0x8E"]);
  expect((await request.get(`/api/v1/codes/${encodeURIComponent("mqtt5:0x8E")}`)).status()).toBe(200);
  const unknown = await request.get(`/api/v1/codes/${encodeURIComponent("nope:1")}`);
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error.code).toBe("code_not_found");
  expect((await request.get("/api/v1/codes/not-a-code")).status()).toBe(400);
  expect((await request.get("/api/v1/codes?vendor=acme")).status()).toBe(400);
});

test("the JWT tool checks the ClearBlade rules and verifies the signature in the browser", async ({ page }) => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now, exp: now + 48 * 3600, aud: "my-project" })}`;
  const token = `${input}.${createSign("SHA256").update(input).sign(privateKey).toString("base64url")}`;
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));

  await page.goto("/tools/jwt");
  requests.length = 0;
  await page.getByLabel("JWT (the MQTT password)").fill(token);
  await page.getByLabel(/Cloud project ID/).fill("my-project");
  const checks = page.getByRole("list", { name: "JWT checks" });
  await expect(checks.getByRole("listitem").filter({ hasText: "Lifetime" })).toContainText("Failed");
  await expect(checks.getByRole("listitem").filter({ hasText: "Audience" })).toContainText("Passed");
  await page.getByLabel(/Device public key/).fill(publicKey.export({ type: "spki", format: "pem" }).toString());
  await expect(checks.getByRole("listitem").filter({ hasText: "Signature" })).toContainText("Passed");
  await keepScreenshot(page, "jwt-tool", { fullPage: true });
  expect(requests.filter((url) => url.includes(encodeURIComponent(token.slice(0, 20))) || url.includes(token.slice(0, 20)))).toEqual([]);
});
