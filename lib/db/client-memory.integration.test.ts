import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";

// Every process (each worker, each web process) pays for Prisma's query compiler once, at its first query. The
// generator's default ("fast") build added 72–82 MB of resident memory, a quarter of the worker's 300 MB budget
// (decision 066); the "small" build adds about 30 MB. Measured in a fresh process: resident memory is not timing.

const dir = mkdtempSync(path.join(os.tmpdir(), "linkscope-client-memory-"));
const script = path.join(dir, "queries.mjs");
writeFileSync(
  script,
  `const { createDb, getPgPool } = await import(process.env.CLIENT_MODULE);
const db = createDb(process.env.DATABASE_URL, 1);
await getPgPool(db).query("SELECT 1");
global.gc();
const before = process.memoryUsage().rss;
await db.$queryRaw\`SELECT 1\`;
await db.device.findMany({ take: 1, where: { state: "online" }, orderBy: { lastDisconnectedAt: "desc" } });
await db.session.findMany({ take: 1, where: { endedAt: null } });
global.gc();
console.log(JSON.stringify({ grownBytes: process.memoryUsage().rss - before }));
await db.$disconnect();
`,
);
const clientModule = pathToFileURL(path.resolve(import.meta.dirname, "client.ts")).href;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function residentGrowthOfFirstQueries(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script], {
      env: { ...process.env, CLIENT_MODULE: clientModule, DATABASE_URL: database.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve((JSON.parse(output) as { grownBytes: number }).grownBytes) : reject(new Error(`exit ${code}`)),
    );
  });
}

describe("the Prisma client's memory", () => {
  it("grows a process by less than 50 MB for its query compiler", async () => {
    const grown = await residentGrowthOfFirstQueries();
    expect(grown / 2 ** 20).toBeLessThan(50);
  });
});
