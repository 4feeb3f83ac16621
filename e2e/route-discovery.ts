import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const APP_DIR = path.resolve(import.meta.dirname, "../app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type Method = (typeof METHODS)[number];

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? findFiles(full, name) : entry.name === name ? [full] : [];
  });
}

/** `app/api/v1/devices/[deviceId]/route.ts` → `/api/v1/devices/[deviceId]`; route groups `(x)` vanish. */
function toRoutePattern(file: string): string {
  const segments = path
    .relative(APP_DIR, path.dirname(file))
    .split(path.sep)
    .filter((segment) => segment && !/^\(.*\)$/.test(segment));
  return `/${segments.join("/")}`;
}

/** Every `METHOD /pattern` that app/api/**\/route.ts exports, found by reading the files. */
export function discoverApiRoutes(): { key: string; method: Method; pattern: string }[] {
  return findFiles(path.join(APP_DIR, "api"), "route.ts").flatMap((file) => {
    const source = readFileSync(file, "utf8");
    const pattern = toRoutePattern(file);
    return METHODS.filter((method) =>
      new RegExp(`export (?:const|async function|function) ${method}\\b|export \\{[^}]*\\bas ${method}\\b`).test(source),
    ).map((method) => ({
      key: `${method} ${pattern}`,
      method,
      pattern,
    }));
  });
}

export function discoverPages(): string[] {
  return findFiles(APP_DIR, "page.tsx").map(toRoutePattern);
}

/** Fills `[param]`, `[...param]` and `[[...param]]` segments with sample values. */
export function fillPattern(pattern: string, samples: Record<string, string>): string {
  return pattern.replace(/\[\[?(?:\.\.\.)?([^\]]+)\]\]?/g, (_match, name: string) => encodeURIComponent(samples[name] ?? "sample"));
}
