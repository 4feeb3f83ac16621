import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

/**
 * The stage runner behind `npm test` (scripts/test.ts): stages of phases run one after another, a stage's phases side
 * by side, stopping after the first stage that fails as `&&` would (decisions 047, 052). A build can start in the
 * background with the first stage or once a named phase has passed; phases that need it wait for it, and a failed build
 * fails them.
 */
export type Phase = { name: string; script: string; needsBuild?: boolean };

/** What a phase runs: npm test maps a phase to `npm run <script>`. */
export type PhaseCommand = { command: string; args: string[]; env?: NodeJS.ProcessEnv };

/** A background build; `done` resolves to null when it succeeded, else to what to report. */
export type RunningBuild = { done: Promise<string | null>; stop(): void };

export type StageRunOptions = {
  command(phase: Phase): PhaseCommand | Promise<PhaseCommand>;
  /**
   * Starts once the phase named `after` has passed, or with the first stage when `after` is not given; `start` returns
   * undefined when no build is needed.
   */
  build?: { after?: string; start(): RunningBuild | undefined };
  output?: StageOutput;
};

export type StageOutput = { log(text: string): void; error(text: string): void; write(chunk: Buffer): void };

/**
 * Lines of a failed phase's output printed again after every other phase's output: CI keeps only the end of a run's
 * output, where a passing phase printed whole would otherwise have pushed the failure out of sight.
 */
export const FAILURE_TAIL_LINES = 60;
/** A line of the repeated tail is kept up to this many characters: a stream that never ends a line stays bounded. */
const MAX_TAIL_LINE_CHARS = 2_000;

const CONSOLE: StageOutput = {
  log: (text) => console.log(text),
  error: (text) => console.error(text),
  write: (chunk) => process.stdout.write(chunk),
};

type PhaseResult = { phase: Phase; code: number; ms: number; failure?: string; tail: string };
type Background = { build: RunningBuild; startedAt: number; finishedAt?: number };

/** Runs the stages and prints the summary line with every lap; resolves to the exit code. */
export async function runStages(stages: readonly Phase[][], options: StageRunOptions): Promise<number> {
  const output = options.output ?? CONSOLE;
  const started = performance.now();
  const laps: string[] = [];
  let background: Background | undefined;
  const startBuild = () => {
    const build = options.build?.start();
    if (!build) return;
    const startedBuild: Background = { build, startedAt: performance.now() };
    const finished = () => (startedBuild.finishedAt = performance.now());
    build.done.then(finished, finished);
    background = startedBuild;
  };

  const hooks: PhaseHooks = {
    onPassed(phase) {
      if (options.build?.after !== undefined && phase.name === options.build.after) startBuild();
    },
    async awaitBuild() {
      if (!background) return null;
      const failure = await background.build.done.catch((error: unknown) => String(error));
      laps.push(buildLap(background));
      return failure;
    },
  };
  if (options.build && options.build.after === undefined) startBuild();
  for (const stage of stages) {
    const results = await runSideBySide(stage, options, output, hooks);
    laps.push(...results.map(({ phase, ms }) => `${phase.name} ${seconds(ms)}`));
    const failed = results.filter((result) => result.code !== 0);
    if (failed.length > 0) {
      background?.build.stop();
      for (const { phase, tail } of failed) if (tail) output.error(`\n── end of ${phase.name}'s output, again ──\n${tail}`);
      output.error(`\nnpm test: failed: ${failed.map((result) => result.failure).join(", ")}`);
      output.error(`npm test: phases run: ${laps.join(" · ")}`);
      return 1;
    }
  }
  output.log(`\nnpm test: all phases passed in ${seconds(performance.now() - started)} (${laps.join(" · ")})`);
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
function runSideBySide([live, ...others]: readonly Phase[], options: StageRunOptions, output: StageOutput, hooks: PhaseHooks) {
  const buffered = async (phase: Phase) => {
    const chunks: Buffer[] = [];
    const result = await runPhase(phase, options, (chunk) => chunks.push(chunk), hooks);
    output.log(`\n── ${phase.name} (${seconds(result.ms)}, exit ${result.code}) ──`);
    output.write(Buffer.concat(chunks));
    return result;
  };
  return Promise.all([runPhase(live!, options, (chunk) => output.write(chunk), hooks), ...others.map(buffered)]);
}

async function runPhase(
  phase: Phase,
  options: StageRunOptions,
  onOutput: (chunk: Buffer) => void,
  hooks: PhaseHooks,
): Promise<PhaseResult> {
  if (phase.needsBuild) {
    const failure = await hooks.awaitBuild();
    if (failure) return { phase, code: 1, ms: 0, failure, tail: "" };
  }
  const { command, args, env = process.env } = await options.command(phase);
  const started = performance.now();
  const tail = new LineTail(FAILURE_TAIL_LINES);
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const receive = (decoder: StringDecoder) => (chunk: Buffer) => {
      onOutput(chunk);
      tail.push(decoder.write(chunk));
    };
    child.stdout.on("data", receive(new StringDecoder("utf8")));
    child.stderr.on("data", receive(new StringDecoder("utf8")));
    const done = (code: number) => {
      if (code === 0) hooks.onPassed(phase);
      const failure = code === 0 ? undefined : `${phase.name} (\`${[command, ...args].join(" ")}\` exited with ${code})`;
      resolve({ phase, code, ms: performance.now() - started, failure, tail: tail.text() });
    };
    child.once("error", () => done(1));
    child.once("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** The last `limit` lines of a stream, without keeping the rest: integration's output runs to megabytes. */
export class LineTail {
  private lines: string[] = [];
  private partial = "";
  /** Characters of the partial line beyond `maxLineChars`, counted instead of kept. */
  private partialDropped = 0;
  constructor(
    private readonly limit: number,
    private readonly maxLineChars = MAX_TAIL_LINE_CHARS,
  ) {}

  push(text: string): void {
    const parts = text.split("\n");
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.endLine();
      this.appendToPartial(parts[i]!);
    }
  }

  text(): string {
    const lines = this.partial || this.partialDropped ? [...this.lines, this.clippedPartial()] : this.lines;
    return lines.slice(-this.limit).join("\n");
  }

  private appendToPartial(text: string): void {
    const room = this.maxLineChars - this.partial.length;
    this.partial += text.slice(0, Math.max(0, room));
    this.partialDropped += Math.max(0, text.length - room);
  }

  private endLine(): void {
    this.lines.push(this.clippedPartial());
    if (this.lines.length > this.limit) this.lines.shift();
    this.partial = "";
    this.partialDropped = 0;
  }

  private clippedPartial(): string {
    if (this.partialDropped === 0) return this.partial;
    const more = this.partialDropped === 1 ? "1 more character" : `${this.partialDropped.toLocaleString("en-US")} more characters`;
    return `${this.partial} … (${more})`;
  }
}

function buildLap({ startedAt, finishedAt }: Background): string {
  return `build ${seconds((finishedAt ?? performance.now()) - startedAt)} (background)`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
