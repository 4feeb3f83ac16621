import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setPriority, tmpdir } from "node:os";
import path from "node:path";
import { isWebBuildCurrent, startWebBuild, type WebBuild } from "./web-build.ts";

/**
 * `npm test`: type check and lint side by side, then unit, integration and end-to-end tests, stopping after the first
 * stage that fails as `&&` would, with the production build the e2e phase needs made in the background meanwhile
 * (decision 047). The build starts once the type check has passed (tsc reads `.next/types`, which `next build`
 * rewrites) and runs at a lower CPU priority, so it takes the time the other phases leave idle — integration tests
 * mostly wait on Postgres and brokers. e2e/global-setup.ts then finds `.next` current and skips its own build; run
 * alone (`npx playwright test`), it still builds.
 */
type Phase = { name: string; script: string };
const STAGES: Phase[][] = [
  // Both single-threaded for most of their time: together they keep the two cores busy.
  [
    { name: "typecheck", script: "typecheck" },
    { name: "lint", script: "lint" },
  ],
  [{ name: "unit", script: "test:unit" }],
  [{ name: "integration", script: "test:integration" }],
  [{ name: "e2e", script: "test:e2e" }],
];

/** Nice value of the background build: below every phase, so it never slows the phase `npm test` waits for. */
const BUILD_NICENESS = 10;

type BackgroundBuild = { build: WebBuild; logPath: string; startedAt: number; finishedAt?: number };
type PhaseResult = { phase: Phase; code: number; ms: number };

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

  for (const stage of STAGES) {
    if (stage.some((phase) => phase.name === "e2e") && background) {
      const failure = await awaitBuild(background);
      laps.push(buildLap(background));
      if (failure) return fail(failure, laps);
    }
    const onPassed = (phase: Phase) => {
      if (phase.name === "typecheck") background = startBackgroundBuild();
    };
    const results = stage.length === 1 ? [await runPhase(stage[0]!, "inherit", onPassed)] : await runSideBySide(stage, onPassed);
    laps.push(...results.map(({ phase, ms }) => `${phase.name} ${seconds(ms)}`));
    const failed = results.filter((result) => result.code !== 0);
    if (failed.length > 0) {
      stopBuild();
      const which = failed.map(({ phase, code }) => `${phase.name} (\`npm run ${phase.script}\` exited with ${code})`);
      return fail(`failed: ${which.join(", ")}`, laps);
    }
  }
  console.log(`\nnpm test: all phases passed in ${seconds(performance.now() - started)} (${laps.join(" · ")})`);
  return 0;
}

/** Runs the phases at once, each one's output printed in one piece when it ends, so outputs never interleave. */
function runSideBySide(phases: Phase[], onPassed: (phase: Phase) => void): Promise<PhaseResult[]> {
  return Promise.all(
    phases.map(async (phase) => {
      const output: Buffer[] = [];
      const result = await runPhase(phase, output, onPassed);
      console.log(`\n── ${phase.name} (${seconds(result.ms)}, exit ${result.code}) ──`);
      process.stdout.write(Buffer.concat(output));
      return result;
    }),
  );
}

function runPhase(phase: Phase, output: "inherit" | Buffer[], onPassed: (phase: Phase) => void): Promise<PhaseResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", phase.script], { stdio: output === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
    if (output !== "inherit") {
      child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
      child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    }
    const done = (code: number) => {
      if (code === 0) onPassed(phase);
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
  if (build.child.pid) setPriority(build.child.pid, BUILD_NICENESS);
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
