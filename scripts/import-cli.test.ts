import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

describe("npm run import", () => {
  it("refuses a binary file before it reads it into dead letters, as the upload does", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "linkscope-import-cli-")), "firmware.bin");
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff, 0xfe, 0x0a]));
    // Nothing listens on port 1: the file must be refused before the database is asked anything.
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/import.ts", file, "--format", "mosquitto"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.stderr).toContain("import: This file cannot be imported: it contains NUL bytes, so it is a binary file");
    expect(run.status).toBe(1);
  });
});
