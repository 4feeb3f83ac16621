import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_ROUTE_GROUPS, API_ROUTES } from "@/lib/http/api-contract/registry.ts";
import { listParameters, pathParameters, renderApiReference, renderOpenApi, toInputJsonSchema } from "./api-reference.ts";
import { listApiRoutes } from "./api-routes.ts";
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

describe("the API reference (docs/api-reference.md, docs/openapi.json)", () => {
  it("has a registry entry (lib/http/api-contract) for every method of every route under app/api, and none for a route that is gone", () => {
    const files = listApiRoutes(root).map((route) => `${route.method} ${route.path}`);
    expect(files.length).toBeGreaterThan(50);
    const registered = API_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(files.filter((route) => !registered.includes(route)), "route files without a registry entry").toEqual([]);
    expect(registered.filter((route) => !files.includes(route)), "registry entries without a route file").toEqual([]);
    expect(registered.filter((route, index) => registered.indexOf(route) !== index), "registered twice").toEqual([]);
  });

  it("describes every parameter and body field (`.describe()` on the field's schema)", () => {
    const undescribed = API_ROUTES.flatMap((route) =>
      (["params", "query", "body"] as const).flatMap((part) => {
        const schema = route[part];
        const rows =
          part === "params" ? pathParameters(route) : schema && typeof schema !== "string" ? listParameters(toInputJsonSchema(schema)) : [];
        return rows.filter((row) => !row.description.trim()).map((row) => `${route.method} ${route.path} ${part}.${row.name}`);
      }),
    );
    expect(undescribed).toEqual([]);
  });

  it("is generated from the registry (run `npm run docs:api` after changing a route or its schemas)", () => {
    expect(readFileSync(path.join(root, "docs/api-reference.md"), "utf8")).toBe(renderApiReference(API_ROUTE_GROUPS));
    expect(readFileSync(path.join(root, "docs/openapi.json"), "utf8")).toBe(renderOpenApi(API_ROUTES));
  });
});
