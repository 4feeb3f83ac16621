import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runStages, type Phase } from "./run-stages.ts";
import { isWebBuildCurrent, startWebBuild, type WebBuild } from "./web-build.ts";
import { findFreePort } from "@/lib/testing/free-port.ts";

/**
 * `npm test`: type check, lint, format check and unit tests side by side, then integration and end-to-end tests side
 * by side, stopping after the first stage that fails as `&&` would (decisions 047, 052, 054). The production build e2e needs starts
 * with the first stage (the type check reads route types of its own, decision 059), and the e2e phase starts as soon
 * as both are done: stage 1 beside the build, then e2e, is the run's critical path, so the build runs at full priority.
 * e2e/global-setup.ts then finds `.next` current and skips its own build; run alone (`npx playwright test`), it builds.
 */
const STAGES: Phase[][] = [
  // Quick and CPU-bound; tsc, eslint and prettier are single-threaded for most of their time, so `npm run lint`'s two
  // halves run as two phases rather than one after the other.
  [
    { name: "typecheck", script: "typecheck" },
    { name: "lint", script: "lint:code" },
    { name: "format", script: "lint:format" },
    { name: "unit", script: "test:unit" },
  ],
  // Integration files mostly wait on Postgres, brokers and timers, which leaves CPU for the browser and the web server.
  // The first phase of a stage prints live, the others whole when each ends.
  [
    { name: "integration", script: "test:integration" },
    { name: "e2e", script: "test:e2e", needsBuild: true },
  ],
];

/**
 * e2e's web server on a free port unless E2E_PORT names one: a second copy of the suite on the same machine (another
 * checkout, a second CI job) must not find 3100 taken.
 */
async function e2eEnv(): Promise<NodeJS.ProcessEnv> {
  if (process.env.E2E_PORT) return process.env;
  return { ...process.env, E2E_PORT: String(await findFreePort()) };
}

type BackgroundBuild = { build: WebBuild; logPath: string };

function startBackgroundBuild(): BackgroundBuild | undefined {
  if (isWebBuildCurrent()) {
    console.log("npm test: the production build in .next is current; e2e reuses it");
    return undefined;
  }
  const logPath = path.join(tmpdir(), `linkscope-test-build-${process.pid}.log`);
  const output = openSync(logPath, "w");
  const build = startWebBuild({ stdio: ["ignore", output, output] });
  closeSync(output);
  console.log(`npm test: building the app for e2e in the background (log: ${logPath})`);
  return { build, logPath };
}

/**
 * Null when the build succeeded; otherwise what to report, with the end of its log. Called as the build starts, so
 * a failure is handled even before e2e awaits it.
 */
async function awaitBuild({ build, logPath }: BackgroundBuild): Promise<string | null> {
  try {
    await build.done;
    return null;
  } catch (error) {
    const tail = readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n");
    return `the production build for e2e failed (${error instanceof Error ? error.message : String(error)}); log: ${logPath}\n${tail}`;
  }
}

let building: WebBuild | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    building?.child.kill("SIGTERM");
    process.exit(130);
  });

process.exitCode = await runStages(STAGES, {
  command: async (phase) => ({ command: "npm", args: ["run", phase.script], env: phase.needsBuild ? await e2eEnv() : process.env }),
  build: {
    start() {
      const background = startBackgroundBuild();
      if (!background) return undefined;
      building = background.build;
      return { done: awaitBuild(background), stop: () => background.build.child.kill("SIGTERM") };
    },
  },
});
