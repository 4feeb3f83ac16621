import { defineConfig } from "@playwright/test";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/**
 * End-to-end tests against the production build. e2e/global-setup.ts creates and seeds a fresh database,
 * builds the app and starts `next start` on 127.0.0.1:3100 (see there why this is not `webServer`).
 * Browsers are never downloaded: global setup sets CHROMIUM_PATH to Chromium's headless shell from an npm package
 * unless it is set already (e2e/headless-chromium.ts, decision 060).
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "test-results",
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // One worker (decision 058): beside the integration suite the machine's two cores are already busy, and a second
  // browser made the suite slower, not faster. Specs stay isolated per role and per seeded device (decision 040), so
  // E2E_WORKERS=2 still works where cores are idle (e2e alone on a bigger machine).
  workers: workersFromEnv(process.env.E2E_WORKERS),
  // Sized for a busy 2-core machine (another suite running beside this one), not for a quiet one: tests wait on
  // roles, URLs and responses, so a generous bound costs nothing when things are fast.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`,
    // Signed in as a viewer unless a spec says otherwise (e2e/fixtures.ts: asRole, anonymous).
    storageState: "e2e/.auth/viewer.json",
    // Consecutive tests with the same storage state share one browser context, reset between them (cookies, cache,
    // storage, routes, init scripts, extra pages): no new context and renderer per test, which cost a quarter of the
    // browser's CPU (decision 058). No spec changes what the reset leaves (permissions, geolocation, offline, extra
    // HTTP headers); a spec that must would create its own context with browser.newContext().
    reuseContext: true,
    viewport: { width: 1360, height: 900 },
    // Recording a trace of every test for the few that fail cost 12–16 % of the suite's CPU (decision 056); a failure
    // keeps its screenshot and error context. To debug one: `npx playwright test --trace retain-on-failure <spec>`.
    trace: "off",
    screenshot: "only-on-failure",
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    },
  },
});

function workersFromEnv(value = "1"): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`E2E_WORKERS must be a whole number of at least 1, not "${value}"`);
  return workers;
}
