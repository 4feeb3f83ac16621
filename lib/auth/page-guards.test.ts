import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isPublicApiPath, isPublicPagePath } from "@/lib/auth/public-paths.ts";
import { hasRole, RoleSchema, type Role } from "@/lib/auth/roles.ts";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";
import { DEAD_LETTERS_REPROCESS_ROLE } from "@/lib/queries/list-dead-letters.ts";

const APP_DIR = path.resolve(import.meta.dirname, "../../app");

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? findFiles(full, name) : entry.name === name ? [full] : [];
  });
}

/** `app/devices/[...deviceId]/page.tsx` → `/devices/[...deviceId]`; route groups `(x)` vanish from the URL. */
function toRoutePath(file: string): string {
  const segments = path
    .relative(APP_DIR, path.dirname(file))
    .split(path.sep)
    .filter((segment) => segment && !/^\(.*\)$/.test(segment));
  return `/${segments.join("/")}`;
}

// The proxy redirects pages without a session, but it is not the check: every page must check on the server too.
describe("every page checks the signed-in user on the server", () => {
  const pages = findFiles(APP_DIR, "page.tsx");

  it.each(pages.map((file) => [toRoutePath(file), file]))("%s", (route, file) => {
    const source = readFileSync(file, "utf8");
    if (isPublicPagePath(route)) return;
    expect(source, `${route} (${path.relative(APP_DIR, file)}) must call requirePageUser() before reading data`).toMatch(
      /await requirePageUser\(/,
    );
  });
});

// The catch-all answers unknown API paths: 401 to anonymous callers through handleRoute, 404 otherwise (its own test).
const UNGUARDED_API_ROUTES = new Set(["/api/[...path]"]);

describe("every API route is wrapped", () => {
  const routes = findFiles(path.join(APP_DIR, "api"), "route.ts");

  it.each(routes.map((file) => [toRoutePath(file), file]))("%s", (route, file) => {
    const source = readFileSync(file, "utf8");
    const isPublic = isPublicApiPath(route);
    if (UNGUARDED_API_ROUTES.has(route) || route.startsWith("/api/auth/")) return;
    const exports = [...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
      (match) => match[1],
    );
    expect(exports.length, `${route} exports no HTTP method`).toBeGreaterThan(0);
    for (const method of exports) {
      const wrapped = new RegExp(`export const ${method} = (handleRoute|handlePublicRoute)\\(`).exec(source);
      expect(
        wrapped,
        `${method} ${route} must be \`export const ${method} = handleRoute(…)\` (or handlePublicRoute for a public route)`,
      ).not.toBeNull();
      if (wrapped?.[1] === "handlePublicRoute") {
        expect(isPublic, `${method} ${route} uses handlePublicRoute but is not in PUBLIC_API_PREFIXES (lib/auth/public-paths.ts)`).toBe(
          true,
        );
      }
    }
  });
});

// Role constants route files may name instead of a literal; a new one must be added here to be checked.
const ROLE_CONSTANTS: Record<string, Role> = { IMPORT_ROLE, DEAD_LETTERS_REPROCESS_ROLE };

// Viewers read; every write needs support or admin. handleRoute defaults to viewer, so a write route must say its role.
describe("every authenticated route that writes names a role above viewer", () => {
  const routes = findFiles(path.join(APP_DIR, "api"), "route.ts");

  it.each(routes.map((file) => [toRoutePath(file), file]))("%s", (route, file) => {
    if (UNGUARDED_API_ROUTES.has(route) || isPublicApiPath(route)) return;
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/export const (POST|PUT|PATCH|DELETE) = handleRoute\(\s*(\{\s*role:\s*([^\s}]+)\s*\})?/g)) {
      const [, method, , expression] = match;
      expect(expression, `${method} ${route} must be handleRoute({ role: "support" | "admin" }, …)`).toBeDefined();
      const literal = RoleSchema.safeParse(expression?.replace(/^"(.*)"$/, "$1"));
      const role = literal.success ? literal.data : ROLE_CONSTANTS[expression ?? ""];
      expect(role, `${method} ${route}: unknown role ${expression} (add it to ROLE_CONSTANTS)`).toBeDefined();
      expect(hasRole(role!, "support"), `${method} ${route} lets viewers write (role ${role})`).toBe(true);
    }
  });
});
