import { defineConfig } from "vitest/config";
import path from "node:path";
import { filesNeedingIsolation } from "./lib/testing/test-isolation.ts";

const root = import.meta.dirname;
const TEST_DIRS = ["lib", "scripts", "demo", "e2e"];
// e2e/ holds Playwright specs (`*.spec.ts`) and the unit tests of their helpers (`*.test.ts`).
const UNIT_FILES = ["*.test.ts", "lib/**/*.test.ts", "scripts/**/*.test.ts", "demo/**/*.test.ts", "e2e/**/*.test.ts"];
const INTEGRATION_FILES = ["lib/**/*.integration.test.ts", "scripts/**/*.integration.test.ts", "demo/**/*.integration.test.ts"];
// Files that change process-wide state (the environment, a module, a global) get a fresh worker each; the others share
// their worker's module cache, since re-importing every module per file cost more CPU than the tests themselves
// (decision 054). `--sequence.shuffle.files` checks that the shared ones do not depend on their order.
const isolatedUnit = filesNeedingIsolation(root, TEST_DIRS, ".test.ts", ".integration.test.ts");
const isolatedIntegration = filesNeedingIsolation(root, TEST_DIRS, ".integration.test.ts");

// Every process that parses with zod has the readable messages installed (lib/validation/readable-zod-messages.ts):
// tests too, so a message never depends on which test file happened to import it first.
const setupFiles = ["lib/validation/readable-zod-messages.ts"];

const unit = {
  include: UNIT_FILES,
  setupFiles,
  exclude: ["**/*.integration.test.ts", "node_modules/**"],
  // Vitest's 5 s default is a speed claim: a test that generates RSA keys ran out of it beside the type check,
  // lint and build on a loaded 2-core machine (decision 052). A bound that holds costs nothing when fast.
  testTimeout: 60_000,
  // Vitest defaults to cores − 1 workers, which is one on these 2-core machines (decision 040).
  maxWorkers: 2,
};

const integration = {
  globalSetup: ["lib/testing/template-database-setup.ts"],
  setupFiles,
  // Sized for a loaded 2-core machine (tests wait on events, so a generous bound costs nothing when fast).
  testTimeout: 180_000,
  hookTimeout: 180_000,
  // Each file has its own database from the template, brokers and servers on OS-chosen ports and unique topics,
  // and spends most of its time waiting on Postgres, brokers and timers: two at once (decision 040). Three gained
  // nothing measurable on a quiet machine and made timing-sensitive files slower beside e2e (decision 056).
  maxWorkers: 2,
  env: {
    // Alert-channel tests receive on loopback: the operator's opt-in, as in e2e/global-setup.ts.
    LINKSCOPE_OUTBOUND_ALLOW: "127.0.0.1",
    // Users are created and signed in hundreds of times; scrypt at N = 2^10 instead of 2^15 (lib/auth/password.ts).
    LINKSCOPE_TEST_PASSWORD_COST: "1024",
  },
};

export default defineConfig({
  resolve: { alias: { "@": path.resolve(root) } },
  test: {
    projects: [
      { extends: true, test: { ...unit, name: "unit", isolate: false, exclude: [...unit.exclude, ...isolatedUnit] } },
      { extends: true, test: { ...unit, name: "unit-isolated", include: isolatedUnit } },
      {
        extends: true,
        test: { ...integration, name: "integration", include: INTEGRATION_FILES, exclude: isolatedIntegration, isolate: false },
      },
      { extends: true, test: { ...integration, name: "integration-isolated", include: isolatedIntegration } },
    ],
  },
});
