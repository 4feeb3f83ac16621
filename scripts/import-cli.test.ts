import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

/** `npm run import -- <file> <args>` against a database nothing listens for: what it says before it asks the database. */
function runImport(fileName: string, content: string | Buffer, args: string[]) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "linkscope-import-cli-")), fileName);
  writeFileSync(file, content);
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/import.ts", file, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none" },
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("npm run import", () => {
  it("refuses a binary file before it reads it into dead letters, as the upload does", () => {
    const run = runImport("firmware.bin", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff, 0xfe, 0x0a]), ["--format", "mosquitto"]);
    expect(run.stderr).toContain("import: This file cannot be imported: it contains NUL bytes, so it is a binary file");
    expect(run.status).toBe(1);
  });

  it("takes --year for a log's year-less syslog lines, and refuses one that is not a year before it reads the file", () => {
    const log = "Dec  4 23:30:56 host mosquitto[812]: Client d1 closed its connection.\n";
    const run = runImport("mosquitto.log", log, ["--format", "mosquitto", "--year", "25"]);
    expect(run.stderr).toContain("import: --year must be a year such as 2026");
    expect(run.status).toBe(1);
  });
});
