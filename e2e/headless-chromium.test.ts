import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unpack } from "./headless-chromium.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "linkscope-headless-chromium-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("unpack", () => {
  it("writes the decompressed binary, executable, and leaves no partial file beside it", async () => {
    const content = Buffer.from("#!/bin/sh\necho chromium\n".repeat(1000));
    const archive = path.join(dir, "chromium.br");
    writeFileSync(archive, brotliCompressSync(content));
    const target = path.join(dir, "cache", "153.0.0", "chromium");

    await unpack(archive, target);

    expect(readFileSync(target)).toEqual(content);
    expect(() => accessSync(target, constants.X_OK)).not.toThrow();
    expect(readdirSync(path.dirname(target))).toEqual(["chromium"]);
  });

  it("unpacks side by side into one place: both finish and the binary is whole", async () => {
    const content = Buffer.alloc(4 << 20, "chromium");
    const archive = path.join(dir, "chromium.br");
    writeFileSync(archive, brotliCompressSync(content));
    const target = path.join(dir, "chromium");

    await Promise.all([unpack(archive, target), unpack(archive, target)]);

    expect(readFileSync(target).equals(content)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["chromium", "chromium.br"]);
  });
});
