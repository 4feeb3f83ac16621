import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// A process that keeps a live set and allocates objects that live long enough to be promoted (as the worker does with
// the messages of a batch until it commits); its peak heap with the worker's limit against a growth of 300 %.

const dir = mkdtempSync(path.join(os.tmpdir(), "linkscope-heap-"));
const script = path.join(dir, "churn.mjs");
writeFileSync(
  script,
  `const { limitHeapGrowth } = await import(process.env.HEAP_MODULE);
limitHeapGrowth(Number(process.env.PERCENT));
const live = Array.from({ length: 200_000 }, (_, i) => ({ text: \`live-\${i}-\${"x".repeat(100)}\`, values: [i, i + 1] }));
const recent = [];
let peak = 0;
for (let round = 0; round < 150; round++) {
  for (let i = 0; i < 4000; i++) recent.push({ text: JSON.stringify({ round, i, pad: "y".repeat(150) }), values: [round, i] });
  if (recent.length > 16_000) recent.splice(0, recent.length - 16_000);
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(JSON.stringify({ peak, kept: live.length + recent.length }));
`,
);
const heapModule = pathToFileURL(path.resolve(import.meta.dirname, "worker-heap.ts")).href;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function peakHeapWith(percent: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, HEAP_MODULE: heapModule, PERCENT: String(percent) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve((JSON.parse(output) as { peak: number }).peak) : reject(new Error(`exit ${code}`))));
  });
}

describe("limitHeapGrowth", () => {
  it("keeps the heap far below what a 300 % growth lets it reach", async () => {
    const permissive = await peakHeapWith(300);
    const limited = await peakHeapWith(20);
    expect(limited).toBeLessThan(permissive * 0.6);
  });
});
