import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
/** Everything `next build` reads from the checkout. */
const SOURCE_DIRS = ["app", "components", "lib", "public", "generated"];
const SOURCE_FILES = ["next.config.ts", "proxy.ts", "tsconfig.json", "package.json", "package-lock.json", "prisma/schema.prisma"];

/** Written next to BUILD_ID by startWebBuild: when the build began reading sources, for the build it names. */
const BUILD_STAMP = "linkscope-build.json";
type BuildStamp = { buildId: string; sourcesAsOfMs: number };

/**
 * True when `.next` holds a build of sources no newer than the build, so `npm start`, `npm test` and the e2e setup
 * can reuse whichever of them built last instead of building again. A source saved while a build ran counts as newer:
 * the build may have read it before the change.
 */
export function isWebBuildCurrent(root = ROOT): boolean {
  const buildIdPath = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildIdPath)) return false;
  return builtFromSourcesAsOf(root, buildIdPath) >= newestSourceMtime(root);
}

function builtFromSourcesAsOf(root: string, buildIdPath: string): number {
  const stampPath = path.join(root, ".next", BUILD_STAMP);
  if (existsSync(stampPath)) {
    const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as BuildStamp;
    if (stamp.buildId === readFileSync(buildIdPath, "utf8")) return stamp.sourcesAsOfMs;
  }
  // Built by plain `next build`: when it finished is all there is to go on.
  return statSync(buildIdPath).mtimeMs;
}

/** Records that the build now in `.next` read its sources no earlier than `startedAtMs`. */
export function stampWebBuild(startedAtMs: number, root = ROOT): void {
  const buildId = readFileSync(path.join(root, ".next", "BUILD_ID"), "utf8");
  const stamp: BuildStamp = { buildId, sourcesAsOfMs: startedAtMs };
  writeFileSync(path.join(root, ".next", BUILD_STAMP), JSON.stringify(stamp));
}

function newestSourceMtime(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  for (const file of SOURCE_FILES) {
    const full = path.join(root, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export type WebBuild = { child: ChildProcess; done: Promise<void> };

/** Starts `next build` for running (type-checking is `npm run typecheck`'s job, decision 015). */
export function startWebBuild({ env = {}, stdio }: { env?: Record<string, string>; stdio: StdioOptions }): WebBuild {
  const startedAtMs = Date.now();
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    stdio,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", LINKSCOPE_BUILD_TO_RUN: "1", ...env },
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve(stampWebBuild(startedAtMs)) : reject(new Error(`next build failed with exit code ${code ?? signal}`)),
    );
  });
  return { child, done };
}
