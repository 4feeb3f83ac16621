import { randomBytes } from "node:crypto";
import { postCredentials } from "./api-sign-in.ts";
import { anonymous, asRole, createApiClient, credentialsFor, expect, keepScreenshot, test } from "./fixtures.ts";
import { seedPasswordUsers } from "./seed-users.ts";

test.describe("signing in and out", () => {
  test.use(anonymous);

  test("the sign-in form signs in, returns to the page asked for, and signing out ends access", async ({ page }) => {
    const { email, password } = credentialsFor("support");
    await page.goto("/devices?query=sensor");
    await page.waitForURL("**/signin?callbackUrl=*");
    await keepScreenshot(page, "signin", { fullPage: true });

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong email or password.");

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/devices?query=sensor");
    await expect(page.getByRole("heading", { name: "Devices" })).toBeVisible();
    await expect(page.getByText(`${email} · support`)).toBeVisible();
    await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin**");
    await page.goto("/");
    await page.waitForURL("**/signin?callbackUrl=%2F");
    expect((await page.request.get("/api/v1/fleet/summary")).status()).toBe(401);
  });

  test("the names people type for a sign-in page lead to it, and signing in there lands on the overview", async ({ page }) => {
    const { email, password } = credentialsFor("viewer");
    for (const path of ["/sign-in", "/login"]) {
      await page.goto(path);
      await page.waitForURL((url) => url.pathname === "/signin" && url.search === "");
    }
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });

  test("sign-in never redirects off-site", async ({ page }) => {
    const { email, password } = credentialsFor("viewer");
    await page.goto(`/signin?callbackUrl=${encodeURIComponent("https://evil.example/")}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.origin === new URL(page.url()).origin && url.pathname === "/");
  });

  test("password guessing is rate-limited with 429 after 10 failures for one account", async ({ baseURL, browser }) => {
    if (!baseURL) throw new Error("baseURL is not configured");
    const email = `brute-${randomBytes(4).toString("hex")}@e2e.linkscope.test`;
    // A cheap hash (e2e/seed-users.ts): ten refused guesses are ten password checks, ~1 s each at the production cost.
    const { password } = await seedPasswordUsers([email]);

    const client = await createApiClient(baseURL, null);
    const attempt = (guess: string) => postCredentials(client, { email, password: guess }, { maxRedirects: 0 });
    for (let i = 0; i < 10; i++) {
      const response = await attempt(`guess-${i}-wrong`);
      expect(response.status()).not.toBe(429);
      expect(response.headers()["set-cookie"] ?? "").not.toContain("next-auth.session-token");
    }
    const limited = await attempt(password);
    expect(limited.status()).toBe(429);
    expect(limited.headers()["retry-after"]).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    await client.dispose();

    // The form says so too.
    const page = await browser.newPage({ storageState: anonymous.storageState });
    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toContainText("Too many failed attempts");
    await page.close();
  });
});

test.describe("security headers", () => {
  test.use(asRole("viewer"));

  test("pages carry a nonce CSP without unsafe-inline scripts, and every script uses the nonce", async ({ page }) => {
    const response = await page.goto("/");
    const headers = response?.headers() ?? {};
    const csp = headers["content-security-policy"] ?? "";
    const scriptSrc =
      csp
        .split(";")
        .map((part) => part.trim())
        .find((part) => part.startsWith("script-src")) ?? "";
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["x-frame-options"]).toBe("DENY");

    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    const scriptTags = (await response?.text())?.match(/<script\b[^>]*>/g) ?? [];
    expect(scriptTags.length).toBeGreaterThan(0);
    expect(scriptTags.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    // The page still works under the policy: the client-side chart rendered.
    await expect(page.locator(".recharts-bar-rectangle").first()).toBeVisible();

    const second = await page.goto("/");
    expect(second?.headers()["content-security-policy"]).not.toBe(csp);
  });

  test.describe("an injected inline script", () => {
    // The injected script is refused by the policy, and Chromium logs that refusal: the violation this test wants.
    test.use({ allowedConsoleErrors: [/violates the following Content Security Policy directive/] });

    test("the policy blocks an inline script that lacks the nonce, as an injection would", async ({ page }) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" && message.text().includes("Content Security Policy")) violations.push(message.text());
      });
      // Serve the real page with its real headers, plus an injected inline script.
      await page.route("**/devices", async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace("<body>", "<body><script>window.__injected = true;</script>");
        await route.fulfill({ response, body });
      });
      await page.goto("/devices");
      await expect(page.getByRole("heading", { name: "Devices" })).toBeVisible();
      expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
      expect(violations.length).toBeGreaterThan(0);
    });
  });

  test("API responses forbid framing and sniffing", async ({ request }) => {
    const response = await request.get("/api/v1/fleet/summary");
    expect(response.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
    expect(response.headers()["cache-control"]).toBe("no-store");
  });
});
