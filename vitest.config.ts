import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["*.test.ts", "lib/**/*.test.ts", "scripts/**/*.test.ts", "demo/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
          // Vitest's 5 s default is a speed claim: a test that generates RSA keys ran out of it beside the type check,
          // lint and build on a loaded 2-core machine (decision 052). A bound that holds costs nothing when fast.
          testTimeout: 60_000,
          // Vitest defaults to cores − 1 workers, which is one on these 2-core machines (decision 040).
          maxWorkers: 2,
          // Files share their worker's module cache: re-importing every module per file cost more CPU than all the
          // tests themselves (decision 054). So a unit test must not replace a module (`vi.mock`) or leave globals,
          // timers or the environment changed; run with `--sequence.shuffle.files` to check order independence.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["lib/**/*.integration.test.ts", "scripts/**/*.integration.test.ts", "demo/**/*.integration.test.ts"],
          globalSetup: ["lib/testing/template-database-setup.ts"],
          // Sized for a loaded 2-core machine (tests wait on events, so a generous bound costs nothing when fast).
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Files are isolated (own database from the template, brokers and servers on OS-chosen ports, unique
          // topics), and most of a file's time is spent waiting on Postgres, brokers and timers: two at once
          // (decision 040). Vitest's own default on two cores is one.
          maxWorkers: 2,
          env: {
            // Alert-channel tests receive on loopback: the operator's opt-in, as in e2e/global-setup.ts.
            LINKSCOPE_OUTBOUND_ALLOW: "127.0.0.1",
            // Users are created and signed in hundreds of times; scrypt at N = 2^10 instead of 2^15 (lib/auth/password.ts).
            LINKSCOPE_TEST_PASSWORD_COST: "1024",
          },
        },
      },
    ],
  },
});
