import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every module the CLI loads, following relative and `@/` imports (type-only imports included: harmless to over-collect). */
function collectImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)) {
      const specifier = match[1] ?? match[2] ?? "";
      if (specifier.startsWith("@/") || specifier.startsWith(".")) {
        const resolved = specifier.startsWith("@/") ? path.join(ROOT, specifier.slice(2)) : path.resolve(path.dirname(file), specifier);
        if (existsSync(resolved)) visit(resolved);
      } else {
        packages.add(specifier);
      }
    }
  };
  visit(entry);
  return { files: [...files].map((file) => path.relative(ROOT, file)), packages: [...packages] };
}

describe("the probe CLI", () => {
  it("runs standalone: nothing it imports reaches Prisma, Next or the database", () => {
    const { files, packages } = collectImports(path.join(ROOT, "scripts/probe.ts"));
    expect(files).toContain("lib/probe/run-probe.ts");
    expect(packages.filter((name) => /^(@prisma\/|next($|\/)|pg$|server-only$|react)/.test(name))).toEqual([]);
    expect(files.filter((file) => /^(lib\/db\/|generated\/|app\/)/.test(file))).toEqual([]);
  });
});
