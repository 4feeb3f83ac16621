import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["*.test.ts", "lib/**/*.test.ts", "scripts/**/*.test.ts", "demo/**/*.test.ts"], exclude: ["**/*.integration.test.ts", "node_modules/**"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["lib/**/*.integration.test.ts", "scripts/**/*.integration.test.ts", "demo/**/*.integration.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two cores: integration files share a Postgres server and spawn brokers; run them one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
