import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `npm run typecheck`: route types generated into `.next-typecheck`, then tsc over tsconfig.typecheck.json, which reads
 * them there. `.next` stays the build's alone, so `npm test` builds while this runs (decision 059).
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);

execFileSync(bin("next"), ["typegen"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, LINKSCOPE_TYPEGEN_FOR_TYPECHECK: "1" } });
// typegen points next-env.d.ts at the directory it wrote; editors read tsconfig.json, whose types are in `.next` (the
// check itself excludes next-env.d.ts). The build writes the same content, so the two never disagree.
const nextEnv = path.join(ROOT, "next-env.d.ts");
writeFileSync(nextEnv, readFileSync(nextEnv, "utf8").replaceAll("./.next-typecheck/", "./.next/"));
try {
  execFileSync(bin("tsc"), ["--noEmit", "-p", "tsconfig.typecheck.json"], { cwd: ROOT, stdio: "inherit" });
} catch {
  process.exit(1);
}
