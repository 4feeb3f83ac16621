import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type ApiRoute = { method: string; path: string };

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

function routeFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** `[id]` → `{id}`, `[...nextauth]` → `*`: the spelling docs/api.md uses. */
export function documentedPath(routeDirectory: string): string {
  return (
    "/" +
    routeDirectory
      .split(path.sep)
      .map((segment) => (segment.startsWith("[...") ? "*" : segment.replace(/^\[(.+)\]$/, "{$1}")))
      .join("/")
  );
}

/** Every method exported by every route handler under `<root>/app/api`. */
export function listApiRoutes(root: string): ApiRoute[] {
  const appDirectory = path.join(root, "app");
  return routeFiles(path.join(appDirectory, "api")).flatMap((file) => {
    const source = readFileSync(file, "utf8");
    const routePath = documentedPath(path.relative(appDirectory, path.dirname(file)));
    return METHODS.filter((method) => new RegExp(`export\\s+(const|async function|function)\\s+${method}\\b|export\\s*\\{[^}]*\\b${method}\\b`).test(source)).map(
      (method) => ({ method, path: routePath }),
    );
  });
}

/** Path parameters may be named differently in the docs (`{deviceId}` for `[id]`); compare with the names erased. */
function eraseParameterNames(routePath: string): string {
  return routePath.replace(/\{[^}]*\}/g, "{}");
}

/** The routes that docs/api.md never mentions as `METHOD /path` (catch-alls as `/path/*`). */
export function undocumentedRoutes(routes: ApiRoute[], apiMarkdown: string): ApiRoute[] {
  const mentioned = new Set<string>();
  for (const match of apiMarkdown.matchAll(/`(?:(GET|POST|PUT|PATCH|DELETE|OPTIONS) )?(\/api\/[^`?\s]*)/g)) {
    mentioned.add(`${match[1] ?? "ANY"} ${eraseParameterNames(match[2] ?? "")}`);
  }
  for (const match of apiMarkdown.matchAll(/(GET|POST|PUT|PATCH|DELETE|OPTIONS) (\/api\/[^`?\s]*)/g)) {
    mentioned.add(`${match[1]} ${eraseParameterNames(match[2] ?? "")}`);
  }
  return routes.filter((route) => {
    const routePath = eraseParameterNames(route.path);
    return !mentioned.has(`${route.method} ${routePath}`) && !(routePath.endsWith("*") && mentioned.has(`ANY ${routePath}`));
  });
}
