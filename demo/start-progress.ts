import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import path from "node:path";

/**
 * The console of `npm start`: one line per step with the time since launch, and nothing else. Each process's own
 * output goes to a file under the data directory's logs/ folder, shown on the console only when that part fails.
 */
export type StartProgress = {
  /** Prints "… step  detail" for a step that takes a while. */
  begin(step: string, detail: string): void;
  /** Prints "✓ step  detail". */
  done(step: string, detail: string): void;
  /** A file that receives one part's output. */
  logFile(part: string): { path: string; stream: WriteStream };
  /** Prints the last lines of a part's log file after it failed. */
  showLogTail(part: string, lines?: number): void;
  elapsedSeconds(): string;
};

const STEP_WIDTH = 11;

export function createStartProgress(logDir: string, write: (line: string) => void = (line) => console.log(line)): StartProgress {
  const startedAt = Date.now();
  mkdirSync(logDir, { recursive: true });
  const elapsedSeconds = () => ((Date.now() - startedAt) / 1000).toFixed(1);
  const line = (mark: string, step: string, detail: string) =>
    write(`${`${elapsedSeconds()} s`.padStart(8)}  ${mark} ${step.padEnd(STEP_WIDTH)} ${detail}`);
  const logPath = (part: string) => path.join(logDir, `${part.replaceAll(/[^a-z0-9-]+/gi, "-")}.log`);
  return {
    begin: (step, detail) => line("…", step, detail),
    done: (step, detail) => line("✓", step, detail),
    logFile(part) {
      const file = logPath(part);
      return { path: file, stream: createWriteStream(file, { flags: "a" }) };
    },
    showLogTail(part, lines = 30) {
      try {
        const tail = readFileSync(logPath(part), "utf8").trimEnd().split("\n").slice(-lines);
        write(`--- last ${tail.length} lines of ${logPath(part)} ---\n${tail.join("\n")}\n---`);
      } catch {
        // nothing was logged
      }
    },
    elapsedSeconds,
  };
}
