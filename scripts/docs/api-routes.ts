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

/** `[id]` → `{id}`, `[...nextauth]` → `*`: the spelling of the route registry (lib/http/api-contract). */
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
