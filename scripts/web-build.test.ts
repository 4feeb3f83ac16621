import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isWebBuildCurrent, stampWebBuild } from "./web-build.ts";

let root: string;
const HOUR_S = 3600;
const nowS = Math.floor(Date.now() / 1000);

function write(relative: string, ageHours: number): void {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, relative);
  const at = nowS - ageHours * HOUR_S;
  utimesSync(full, at, at);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "linkscope-web-build-"));
  write("app/page.tsx", 3);
  write("lib/db/client.ts", 3);
  write("next.config.ts", 3);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("isWebBuildCurrent", () => {
  it("is false without a build", () => {
    expect(isWebBuildCurrent(root)).toBe(false);
  });

  it("is true for a build newer than every source", () => {
    write(".next/BUILD_ID", 1);
    expect(isWebBuildCurrent(root)).toBe(true);
  });

  it("is false once any source the build reads is newer, including the root's proxy.ts and configuration", () => {
    for (const source of ["components/nested/deep/widget.tsx", "proxy.ts", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"]) {
      write(".next/BUILD_ID", 2);
      expect(isWebBuildCurrent(root)).toBe(true);
      write(source, 1);
      expect(isWebBuildCurrent(root), source).toBe(false);
      write(source, 3);
    }
  });

  it("ignores files the build does not read", () => {
    write(".next/BUILD_ID", 2);
    write("e2e/some.spec.ts", 0);
    write("docs/notes.md", 0);
    expect(isWebBuildCurrent(root)).toBe(true);
  });

  it("is false when a source was saved while the build ran, after the build began reading sources", () => {
    write("components/widget.tsx", 1.5);
    write(".next/BUILD_ID", 1);
    stampWebBuild((nowS - 2 * HOUR_S) * 1000, root);
    expect(isWebBuildCurrent(root)).toBe(false);
    write("components/widget.tsx", 3);
    expect(isWebBuildCurrent(root)).toBe(true);
  });

  it("ignores a stamp left by another build", () => {
    write(".next/BUILD_ID", 1);
    stampWebBuild((nowS - 4 * HOUR_S) * 1000, root);
    writeFileSync(path.join(root, ".next/BUILD_ID"), "a later build");
    utimesSync(path.join(root, ".next/BUILD_ID"), nowS - HOUR_S, nowS - HOUR_S);
    expect(isWebBuildCurrent(root)).toBe(true);
  });
});
