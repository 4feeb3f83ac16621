import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FAILURE_TAIL_LINES,
  LineTail,
  runStages,
  type Phase,
  type PhaseCommand,
  type RunningBuild,
  type StageOutput,
} from "./run-stages.ts";

// Phases are tiny real processes: each phase's script is JavaScript for `node -e`.
const node = (phase: Phase): PhaseCommand => ({ command: process.execPath, args: ["-e", phase.script] });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "linkscope-run-stages-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const marker = (name: string) => path.join(dir, name);
const touch = (name: string) => `require("node:fs").writeFileSync(${JSON.stringify(marker(name))}, "")`;
/** Passes only if `name` was touched before the phase started. */
const expectTouched = (name: string) => `process.exit(require("node:fs").existsSync(${JSON.stringify(marker(name))}) ? 0 : 7)`;

function captureOutput(): StageOutput & { logs: string[]; errors: string[]; written: string[] } {
  const logs: string[] = [];
  const errors: string[] = [];
  const written: string[] = [];
  return {
    logs,
    errors,
    written,
    log: (text) => logs.push(text),
    error: (text) => errors.push(text),
    write: (chunk) => written.push(chunk.toString()),
  };
}

/** A build that is a process too: `done` says why it failed, if it did. */
function startBuild(script: string): RunningBuild {
  const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  const done = new Promise<string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code === 0 ? null : `the build failed (${code ?? signal})`)),
  );
  return { done, stop: () => child.kill("SIGTERM") };
}

const LAP = String.raw`\d+\.\d s`;

describe("runStages", () => {
  it("runs every stage, starts the build after the type check, lets e2e wait for it, and reports every lap", async () => {
    const output = captureOutput();
    let buildStartedAfterTypecheck = false;
    const code = await runStages(
      [
        [
          { name: "typecheck", script: touch("typecheck") },
          { name: "lint", script: `console.log("lint says hello")` },
          { name: "unit", script: "" },
        ],
        [
          { name: "integration", script: "" },
          // The build touches its marker only after a while: e2e passes only if it waited for it.
          { name: "e2e", script: expectTouched("build"), needsBuild: true },
        ],
      ],
      {
        command: node,
        build: {
          after: "typecheck",
          start() {
            buildStartedAfterTypecheck = existsSync(marker("typecheck"));
            return startBuild(`setTimeout(() => { ${touch("build")} }, 1000)`);
          },
        },
        output,
      },
    );

    expect(code).toBe(0);
    expect(buildStartedAfterTypecheck).toBe(true);
    expect(output.errors).toEqual([]);
    expect(output.logs.at(-1)).toMatch(
      new RegExp(
        `^\\nnpm test: all phases passed in ${LAP} \\(typecheck ${LAP} · lint ${LAP} · unit ${LAP} · build ${LAP} \\(background\\) · integration ${LAP} · e2e ${LAP}\\)$`,
      ),
    );
    // Phases after the first of a stage print whole when they end, under a header.
    expect(output.logs).toContainEqual(expect.stringMatching(new RegExp(`^\\n── lint \\(${LAP}, exit 0\\) ──$`)));
    expect(output.written.join("")).toContain("lint says hello\n");
  });

  it("starts the build with the first stage when no phase is named", async () => {
    const output = captureOutput();
    const code = await runStages(
      [
        // The type check passes only if the build had started before it.
        [{ name: "typecheck", script: expectTouched("build-started") }],
        [{ name: "e2e", script: expectTouched("build"), needsBuild: true }],
      ],
      {
        command: node,
        build: {
          start() {
            writeFileSync(marker("build-started"), "");
            return startBuild(`setTimeout(() => { ${touch("build")} }, 500)`);
          },
        },
        output,
      },
    );

    expect(output.errors).toEqual([]);
    expect(code).toBe(0);
  });

  it("stops after a stage that fails: the next stage never starts, the build is stopped, the failing phase is named", async () => {
    const output = captureOutput();
    let build: RunningBuild | undefined;
    const code = await runStages(
      [
        [
          { name: "typecheck", script: "" },
          { name: "lint", script: "process.exit(3)" },
          { name: "unit", script: "" },
        ],
        [
          { name: "integration", script: touch("integration") },
          { name: "e2e", script: touch("e2e"), needsBuild: true },
        ],
      ],
      { command: node, build: { after: "typecheck", start: () => (build = startBuild("setTimeout(() => {}, 120_000)")) }, output },
    );

    expect(code).not.toBe(0);
    expect(existsSync(marker("integration"))).toBe(false);
    expect(existsSync(marker("e2e"))).toBe(false);
    expect(await build?.done).toBe("the build failed (SIGTERM)");
    expect(output.errors).toEqual([
      `\nnpm test: failed: lint (\`${process.execPath} -e process.exit(3)\` exited with 3)`,
      expect.stringMatching(new RegExp(`^npm test: phases run: typecheck ${LAP} · lint ${LAP} · unit ${LAP}$`)),
    ]);
  });

  it("prints the end of a failed phase's output again after the output of the phases beside it", async () => {
    const output = captureOutput();
    const lines = (prefix: string, count: number) => `for (let i = 1; i <= ${count}; i++) console.log("${prefix} " + i);`;
    const code = await runStages(
      [
        [
          // The live phase fails early in its output; the buffered one prints a lot after it, as e2e does in CI.
          { name: "integration", script: `${lines("integration line", 200)} console.error("FAIL the flaky test"); process.exit(1)` },
          { name: "e2e", script: lines("e2e line", 500) },
        ],
      ],
      { command: node, output },
    );

    expect(code).toBe(1);
    const [again, failed] = output.errors;
    expect(again).toMatch(/^\n── end of integration's output, again ──\n/);
    const repeated = again!.split("\n").slice(2);
    expect(repeated).toHaveLength(FAILURE_TAIL_LINES);
    expect(repeated.at(-1)).toBe("FAIL the flaky test");
    expect(repeated[0]).toBe(`integration line ${200 - FAILURE_TAIL_LINES + 2}`);
    expect(failed).toMatch(/^\nnpm test: failed: integration /);
    // The live phase's output was still written as it came, whole.
    expect(output.written.join("")).toContain("integration line 1\n");
  });

  it("fails a phase that needs the build when the build fails, without running it", async () => {
    const output = captureOutput();
    const code = await runStages(
      [
        [{ name: "typecheck", script: "" }],
        [
          { name: "integration", script: touch("integration") },
          { name: "e2e", script: touch("e2e"), needsBuild: true },
        ],
      ],
      { command: node, build: { after: "typecheck", start: () => startBuild("process.exit(2)") }, output },
    );

    expect(code).not.toBe(0);
    expect(existsSync(marker("integration"))).toBe(true);
    expect(existsSync(marker("e2e"))).toBe(false);
    expect(output.errors[0]).toBe("\nnpm test: failed: the build failed (2)");
    expect(output.errors[1]).toMatch(
      new RegExp(`^npm test: phases run: typecheck ${LAP} · build ${LAP} \\(background\\) · integration ${LAP} · e2e ${LAP}$`),
    );
  });

  it("runs a phase that needs the build at once when no build was needed", async () => {
    const output = captureOutput();
    const code = await runStages([[{ name: "typecheck", script: "" }], [{ name: "e2e", script: touch("e2e"), needsBuild: true }]], {
      command: node,
      build: { after: "typecheck", start: () => undefined },
      output,
    });

    expect(code).toBe(0);
    expect(existsSync(marker("e2e"))).toBe(true);
    expect(output.logs.at(-1)).toMatch(new RegExp(`\\(typecheck ${LAP} · e2e ${LAP}\\)$`));
  });
});

describe("LineTail", () => {
  it("keeps the last lines across chunks that split lines anywhere", () => {
    const tail = new LineTail(3);
    for (const chunk of ["on", "e\ntwo\nth", "ree\nfour\n", "fi", "ve"]) tail.push(chunk);
    expect(tail.text()).toBe("three\nfour\nfive");
    tail.push("\nsix");
    expect(tail.text()).toBe("four\nfive\nsix");
  });

  it("keeps a bounded start of each line, however long a line grows across chunks", () => {
    const tail = new LineTail(2, 10);
    for (let i = 0; i < 1000; i++) tail.push("x".repeat(1000));
    expect(tail.text()).toBe(`${"x".repeat(10)} … (999,990 more characters)`);
    tail.push(`${"y".repeat(25)}\nshort\n${"z".repeat(11)}`);
    expect(tail.text()).toBe(`short\n${"z".repeat(10)} … (1 more character)`);
  });
});
