import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listApiRoutes, undocumentedRoutes } from "./api-routes.ts";
import { headingAnchors, relativeLinks, tableProblems } from "./markdown-checks.ts";

const root = path.resolve(import.meta.dirname, "../..");

function markdownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith(".md") ? [full] : [];
  });
}

const documents = [path.join(root, "README.md"), ...markdownFiles(path.join(root, "docs"))];

describe("README.md and docs/**/*.md", () => {
  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const document of documents) {
      for (const { target, line } of relativeLinks(readFileSync(document, "utf8"))) {
        const [file = "", anchor] = target.split("#");
        const resolved = file === "" ? document : path.resolve(path.dirname(document), decodeURIComponent(file));
        const where = `${path.relative(root, document)}:${line} → ${target}`;
        if (!existsSync(resolved)) {
          broken.push(`${where} (no such file)`);
        } else if (anchor && statSync(resolved).isFile() && resolved.endsWith(".md") && !headingAnchors(readFileSync(resolved, "utf8")).has(anchor)) {
          broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("have tables that render: a header, a separator and the same number of cells in every row", () => {
    const problems = documents.flatMap((document) =>
      tableProblems(readFileSync(document, "utf8")).map(({ line, problem }) => `${path.relative(root, document)}:${line} ${problem}`),
    );
    expect(problems).toEqual([]);
  });
});

describe("docs/api.md", () => {
  it("lists every method of every route under app/api", () => {
    const routes = listApiRoutes(root);
    expect(routes.length).toBeGreaterThan(50);
    const missing = undocumentedRoutes(routes, readFileSync(path.join(root, "docs/api.md"), "utf8"));
    expect(missing.map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });
});
