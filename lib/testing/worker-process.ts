import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/** A worker process started by a test: its log lines as they come, and a promise of its exit. */
export type TestWorkerProcess = { child: ChildProcess; lines: string[]; exited: Promise<void> };

const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Starts `worker/main.ts` as its own process under tsx, as a supervisor would, with `env` over this process's
 * environment (the database, the broker and the worker's settings). Its stderr goes to the test's output.
 */
export function spawnTestWorker(env: Record<string, string>): TestWorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, lines, exited };
}
