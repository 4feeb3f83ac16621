import { defineConfig } from "@playwright/test";
import e2eConfig from "./playwright.config.ts";

/**
 * Benchmarks that need the whole product in a browser (`npm run bench:live`): the e2e setup (fresh seeded
 * database, build, `next start`, signed-in roles), but specs from scripts/*.bench.ts, one at a time.
 */
export default defineConfig({
  ...e2eConfig,
  testDir: "scripts",
  testMatch: "*.bench.ts",
  workers: 1,
  timeout: 600_000,
  reporter: [["list"]],
});
