import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
/** Everything `next build` reads from the checkout. */
const SOURCE_DIRS = ["app", "components", "lib", "public", "generated"];
const SOURCE_FILES = ["next.config.ts", "proxy.ts", "tsconfig.json", "package.json", "package-lock.json", "prisma/schema.prisma"];

/**
 * True when `.next` holds a build newer than every source of the web app, so `npm start` and the e2e setup can
 * both reuse whichever of them built last instead of building again.
 */
export function isWebBuildCurrent(root = ROOT): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  return existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceMtime(root);
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
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    stdio,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", LINKSCOPE_BUILD_TO_RUN: "1", ...env },
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`next build failed with exit code ${code ?? signal}`)),
    );
  });
  return { child, done };
}
