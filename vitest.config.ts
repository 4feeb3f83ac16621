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
          // Two cores: integration files share a Postgres server and spawn brokers; run them one at a time.
          fileParallelism: false,
          // Alert-channel tests receive on loopback: the operator's opt-in, as in e2e/global-setup.ts.
          env: { LINKSCOPE_OUTBOUND_ALLOW: "127.0.0.1" },
        },
      },
    ],
  },
});
