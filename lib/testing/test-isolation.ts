import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Test files run in a worker that keeps its module cache between files (decision 054), except those that change
 * process-wide state another file would then see: they assign `process.env`, replace a module or stub a global.
 * Those run in their own fresh worker, found by reading the files, so a new such test is isolated without anyone
 * remembering to list it.
 */
export const CHANGES_PROCESS_STATE =
  /process\.env(\.\w+|\[[^\]]+\])?\s*=(?!=)|delete process\.env|Object\.assign\(process\.env|vi\.(mock|doMock|stubEnv|stubGlobal|resetModules)\(/;

export function filesNeedingIsolation(root: string, dirs: string[], suffix: string, exclude?: string): string[] {
  return dirs
    .flatMap((dir) => listFiles(path.join(root, dir)))
    .filter((file) => file.endsWith(suffix) && !(exclude && file.endsWith(exclude)))
    .filter((file) => CHANGES_PROCESS_STATE.test(readFileSync(file, "utf8")))
    .map((file) => path.relative(root, file))
    .sort();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}
