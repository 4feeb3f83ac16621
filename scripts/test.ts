import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isWebBuildCurrent, startWebBuild, type WebBuild } from "./web-build.ts";
import { findFreePort } from "@/lib/testing/free-port.ts";

/**
 * `npm test`: type check, lint and unit tests side by side, then integration and end-to-end tests side by side,
 * stopping after the first stage that fails as `&&` would (decisions 047, 052). The production build e2e needs starts
 * once the type check has passed (tsc reads `.next/types`, which `next build` rewrites), and the e2e phase starts as
 * soon as it is done: type check → build → e2e is the run's critical path, so the build runs at full priority.
 * e2e/global-setup.ts then finds `.next` current and skips its own build; run alone (`npx playwright test`), it builds.
 */
type Phase = { name: string; script: string; needsBuild?: boolean };
const STAGES: Phase[][] = [
  // Quick and CPU-bound; tsc and eslint are single-threaded for most of their time.
  [
    { name: "typecheck", script: "typecheck" },
    { name: "lint", script: "lint" },
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

type BackgroundBuild = { build: WebBuild; logPath: string; startedAt: number; finishedAt?: number };
type PhaseResult = { phase: Phase; code: number; ms: number; failure?: string };

async function main(): Promise<number> {
  const started = performance.now();
  const laps: string[] = [];
  let background: BackgroundBuild | undefined;
  const stopBuild = () => background?.build.child.kill("SIGTERM");
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      stopBuild();
      process.exit(130);
    });

  const hooks: PhaseHooks = {
    onPassed(phase) {
      if (phase.name === "typecheck") background = startBackgroundBuild();
    },
    async awaitBuild() {
      if (!background) return null;
      const failure = await awaitBuild(background);
      laps.push(buildLap(background));
      return failure;
    },
  };
  for (const stage of STAGES) {
    const results = await runSideBySide(stage, hooks);
    laps.push(...results.map(({ phase, ms }) => `${phase.name} ${seconds(ms)}`));
    const failed = results.filter((result) => result.code !== 0);
    if (failed.length > 0) {
      stopBuild();
      const which = failed.map(({ phase, code, failure }) => failure ?? `${phase.name} (\`npm run ${phase.script}\` exited with ${code})`);
      return fail(`failed: ${which.join(", ")}`, laps);
    }
  }
  console.log(`\nnpm test: all phases passed in ${seconds(performance.now() - started)} (${laps.join(" · ")})`);
  return 0;
}

type PhaseHooks = {
  onPassed(phase: Phase): void;
  /** Null when the background build succeeded (or none was needed), else what to report. */
  awaitBuild(): Promise<string | null>;
};

/**
 * Runs the phases at once. The first prints live; each other one's output is printed in one piece when it ends, so
 * outputs never interleave line by line.
 */
function runSideBySide([live, ...others]: Phase[], hooks: PhaseHooks): Promise<PhaseResult[]> {
  const buffered = async (phase: Phase) => {
    const output: Buffer[] = [];
    const result = await runPhase(phase, output, hooks);
    console.log(`\n── ${phase.name} (${seconds(result.ms)}, exit ${result.code}) ──`);
    process.stdout.write(Buffer.concat(output));
    return result;
  };
  return Promise.all([runPhase(live!, "inherit", hooks), ...others.map(buffered)]);
}

async function runPhase(phase: Phase, output: "inherit" | Buffer[], hooks: PhaseHooks): Promise<PhaseResult> {
  if (phase.needsBuild) {
    const failure = await hooks.awaitBuild();
    if (failure) return { phase, code: 1, ms: 0, failure };
  }
  const env = phase.needsBuild ? await e2eEnv() : process.env;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", phase.script], { env, stdio: output === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
    if (output !== "inherit") {
      child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
      child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    }
    const done = (code: number) => {
      if (code === 0) hooks.onPassed(phase);
      resolve({ phase, code, ms: performance.now() - started });
    };
    child.once("error", () => done(1));
    child.once("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function startBackgroundBuild(): BackgroundBuild | undefined {
  if (isWebBuildCurrent()) {
    console.log("npm test: the production build in .next is current; e2e reuses it");
    return undefined;
  }
  const logPath = path.join(tmpdir(), `linkscope-test-build-${process.pid}.log`);
  const output = openSync(logPath, "w");
  const build = startWebBuild({ stdio: ["ignore", output, output] });
  closeSync(output);
  // A failed build is reported before e2e, where it is awaited; until then its rejection must not count as unhandled.
  build.done.catch(() => {});
  const background: BackgroundBuild = { build, logPath, startedAt: performance.now() };
  const finished = () => (background.finishedAt = performance.now());
  build.done.then(finished, finished);
  console.log(`npm test: building the app for e2e in the background (log: ${logPath})`);
  return background;
}

/** Null when the build succeeded; otherwise what to report, with the end of its log. */
async function awaitBuild({ build, logPath }: BackgroundBuild): Promise<string | null> {
  try {
    await build.done;
    return null;
  } catch (error) {
    const tail = readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n");
    return `the production build for e2e failed (${error instanceof Error ? error.message : String(error)}); log: ${logPath}\n${tail}`;
  }
}

function buildLap({ startedAt, finishedAt }: BackgroundBuild): string {
  return `build ${seconds((finishedAt ?? performance.now()) - startedAt)} (background)`;
}

function fail(message: string, laps: string[]): number {
  console.error(`\nnpm test: ${message}`);
  console.error(`npm test: phases run: ${laps.join(" · ")}`);
  return 1;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

process.exitCode = await main();
