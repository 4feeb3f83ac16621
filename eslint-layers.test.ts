import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// The project's own eslint.config.js, without type information (the fixtures exist only as text).
const eslint = new ESLint({
  cwd: import.meta.dirname,
  overrideConfig: [
    {
      files: ["**/*.ts", "**/*.tsx"],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { "@typescript-eslint/no-floating-promises": "off" },
    },
  ],
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = 1;\n`, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  return result.messages
    .filter((message) => message.ruleId === "no-restricted-imports" || message.ruleId === "no-restricted-syntax")
    .map((message) => `${message.ruleId}: ${message.message}`);
}

const importOf = (specifier: string) => `import * as target from "${specifier}";\nvoid target;`;

describe("npm run lint refuses an import against the layers", () => {
  // Loading the config (typescript-eslint, the React and Next plugins) takes seconds on a loaded machine.
  beforeAll(async () => {
    await eslint.calculateConfigForFile("lib/alerts/warm-up.ts");
  }, 120_000);

  it.each([
    ["a domain module importing lib/http", "lib/alerts/upward.ts", "@/lib/http/json.ts", /know nothing of HTTP/],
    ["lib/ importing a route", "lib/fleet/upward.ts", "@/app/api/v1/health/route.ts", /below the pages and routes/],
    ["lib/ importing a component", "lib/queries/upward.ts", "@/components/fleet-panels.tsx", /below the pages and routes/],
    ["lib/db importing a domain module", "lib/db/upward.ts", "@/lib/alerts/alert-rules.ts", /lib\/db is the bottom layer/],
    [
      "lib/jobs importing the ingest domain back",
      "lib/jobs/upward.ts",
      "@/lib/ingest/ingest-worker.ts",
      /must not import a domain module back/,
    ],
    ["a leaf importing a domain module", "lib/errors/upward.ts", "@/lib/auth/users.ts", /leaf every layer uses/],
    ["the worker importing Next", "worker/upward.ts", "next/server", /plain Node/],
    ["the worker importing lib/http", "worker/upward.ts", "@/lib/http/route-handler.ts", /web server's layer/],
    ["the worker importing the demo", "worker/upward.ts", "@/demo/simulator/fleet-simulator.ts", /runs without the demo/],
    ["a route importing the demo", "app/api/v1/upward/route.ts", "@/demo/broker/embedded-broker.ts", /runs without the demo/],
    ["lib/ importing the demo", "lib/ingest/upward.ts", "@/demo/db/embedded-postgres.ts", /runs without the demo/],
    ["lib/ importing test infrastructure", "lib/share/upward.ts", "@/lib/testing/test-database.ts", /test infrastructure/],
    ["a relative import that leaves its folder", "lib/alerts/channels/upward.ts", "../../http/json.ts", /@\/ alias/],
  ])("%s", async (_name, filePath, specifier, expected) => {
    const errors = await layerErrors(filePath, importOf(specifier));
    expect(errors).toEqual([expect.stringMatching(expected)]);
  });

  it.each([
    ["a route importing lib/http and a domain verb", "app/api/v1/fine/route.ts", ["@/lib/http/json.ts", "@/lib/alerts/alert-rules.ts"]],
    [
      "a domain module importing lib/db, errors and validation",
      "lib/alerts/fine.ts",
      ["@/lib/db/client.ts", "@/lib/errors/domain-errors.ts", "@/lib/validation/parse-input.ts"],
    ],
    ["lib/db importing the logger", "lib/db/fine.ts", ["@/lib/log/logger.ts", "@/lib/db/client.ts"]],
    ["lib/jobs importing the logger and the database", "lib/jobs/fine.ts", ["@/lib/log/logger.ts", "@/lib/db/client.ts"]],
    [
      "the worker importing domain jobs",
      "worker/fine.ts",
      ["@/lib/alerts/alert-evaluation-job.ts", "@/lib/ingest/start-source-workers.ts"],
    ],
    ["the demo importing the product", "demo/fine.ts", ["@/lib/db/migrate.ts", "@/lib/ingest/ingest-worker.ts"]],
    [
      "a test assembling layers",
      "lib/alerts/fine.integration.test.ts",
      ["@/lib/http/route-handler.ts", "@/lib/testing/test-database.ts", "@/demo/simulator/fleet-simulator.ts"],
    ],
  ])("allows %s", async (_name, filePath, specifiers) => {
    expect(
      await layerErrors(
        filePath,
        specifiers
          .map(importOf)
          .join("\n")
          .replaceAll("target", (_m, offset: number) => `t${offset}`),
      ),
    ).toEqual([]);
  });

  it("refuses a Prisma query written inline in a route", async () => {
    const code = `${importOf("@/lib/db/client.ts")}\nexport async function GET() { return Response.json(await target.getDb().importRun.findUnique({ where: { id: "x" } })); }`;
    expect(await layerErrors("app/api/v1/inline/route.ts", code)).toEqual([expect.stringMatching(/No Prisma calls in routes/)]);
  });
});
